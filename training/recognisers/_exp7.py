import numpy as np, math, sys
from training.recognisers import study, methods
sets=[g for g in study.gesture_sets(False) if g.imu]; days=study.everyday(False)
bank=[s for d in days for s in d.bank]; ev=[s for d in days if d.segmenter=='still' for s in d.eval]; evh=days[0].eval_hours
M=methods()
def norm_all(rec, segs):
    out=[]
    for r in rec.nearest_many(segs):
        out.append({g:d/rec.scale[g] for g,d in r.items()} if r else {})
    return out
for gs in sets:
  for K in (1,3,5):
    res={}
    for enrol,tests,others in study.draws(gs,K,0,2):
      recs={m:M[m](bank) for m in ['dtw-imu (cohort)','stroke-protractor (cohort)','stroke-dtw (cohort)']}
      N={}
      for m,r in recs.items():
        r.enrol(enrol)
        N[m]={k:norm_all(r,v) for k,v in [('gen',[s for _,s in tests]),('oth',others),('bank',bank),('ev',ev)]}
      truth=[t for t,_ in tests]
      combos={'dtw':['dtw-imu (cohort)'],'prot':['stroke-protractor (cohort)'],'dtw+prot':['dtw-imu (cohort)','stroke-protractor (cohort)'],'dtw+sdtw':['dtw-imu (cohort)','stroke-dtw (cohort)']}
      for cname,ms in combos.items():
        for agg in (['mean','max'] if len(ms)>1 else ['one']):
          def score(k):
            out=[]
            for i in range(len(N[ms[0]][k])):
              ds=[N[m][k][i] for m in ms]
              if any(not d for d in ds): out.append((None,math.inf)); continue
              gs_=ds[0].keys()
              f={g:(np.mean([d[g] for d in ds]) if agg in('mean','one') else max(d[g] for d in ds)) for g in gs_}
              b=min(f,key=f.get); out.append((b,f[b]))
            return out
          G=score('gen');O=score('oth');B=score('bank');E=score('ev')
          bs=sorted(d for _,d in B); T=np.nextafter(bs[int(0.01*len(bs))],-1)
          key=cname+'/'+agg
          res.setdefault(key,[]).append((np.mean([b==t and d<=T for (b,d),t in zip(G,truth)]), np.mean([d<=T for _,d in O]), sum(d<=T for _,d in E), np.mean([b==t for (b,d),t in zip(G,truth)]), G,O,E,truth))
    for key,v in res.items():
      # in-sample at target
      allo=[d for x in v for _,d in x[5]]; alle=[d for x in v for _,d in x[6]]
      cand=[math.inf]
      no=int(0.01*len(allo)); ne=int(evh*len(v))
      so=sorted(allo); se=sorted(alle)
      if len(so)>no: cand.append(np.nextafter(so[no],-1))
      if len(se)>ne: cand.append(np.nextafter(se[ne],-1))
      T=min(cand)
      acc_t=np.mean([b==t and d<=T for x in v for (b,d),t in zip(x[4],x[7])])
      print(gs.name,K,key,'calibrated acc %.2f otherFA %.2f evFA/h %.1f closed %.2f | at-target acc %.2f'%(np.mean([x[0] for x in v]),np.mean([x[1] for x in v]),np.sum([x[2] for x in v])/(len(v)*evh),np.mean([x[3] for x in v]),acc_t),flush=True)
