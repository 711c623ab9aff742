"""`wand tv`: find TVs on the network (and print the config lines), or pair an Android TV."""

from __future__ import annotations

import asyncio

from ..errors import DeviceError
from ._common import seconds

HELP = "find TVs on the network and print [tv] config lines; pair an Android / Google TV"
ORDER = 55


def add_arguments(p) -> None:
    p.add_argument("action", choices=["discover", "pair"])
    p.add_argument("host", nargs="?", help="pair: the Android TV's address (from 'wand tv discover')")
    p.add_argument("--timeout", type=seconds, default=5.0, help="discover: seconds to listen (up to 3600)")


def run(args) -> int:
    from ..outputs import tv
    if args.action == "pair":
        if not args.host:
            raise DeviceError("wand tv pair needs the TV's address: 'wand tv pair 192.168.1.60' "
                              "('wand tv discover' lists it)")
        try:
            cert = asyncio.run(tv.pair_androidtv(args.host, "magic wand", lambda: input("code shown on the TV: ")))
        except (OSError, asyncio.TimeoutError) as e:
            from ..daemon import describe  # "TimeoutError", not an empty reason
            raise DeviceError(f"cannot reach the Android TV at {args.host} ({describe(e)}): is it on, and on this "
                              "network?") from None
        except Exception as e:  # the library's own errors (InvalidAuth, CannotConnect, ...)
            raise DeviceError(f"pairing with {args.host} failed ({type(e).__name__}: {e}); try again") from None
        print(f"paired; certificate kept in {cert}. Put this in your config:\n"
              f"[tv]\nbackend = \"androidtv\"\nhost = \"{args.host}\"")
        return 0
    print(f"looking {args.timeout:g} s for Rokus (SSDP), Android / Google TVs (mDNS) and HDMI-CEC adapters ...",
          flush=True)
    found, problems = asyncio.run(tv.discover(args.timeout))
    for line in problems:
        print(line)
    if not found:
        print("no TV found: is it on and on this network (same subnet)? For a Roku, enable "
              "'Control by mobile apps' (Settings > System > Advanced); for HDMI-CEC, plug in the adapter")
        return 1
    for f in found:
        print(f"\n# {f.backend}: {f.name or f.host}" + (" (then: wand tv pair " + f.host + ")"
                                                        if f.backend == "androidtv" else ""))
        print(f.config_lines())
    print("\nPaste one [tv] table into your config (~/.config/wand/config.toml) and map gestures to "
          "\"tv:channel_up\" and friends; 'wand config check' validates it.")
    return 0
