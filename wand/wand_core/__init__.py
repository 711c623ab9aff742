"""The firmware's twin: ``firmware/magic_wand/src/wand_core/`` in Python, file for file.

=================  ==========================  ==================================
Python             C++ (wand_core/)            job
=================  ==========================  ==================================
imu_sample.py      imu_sample.h                board axes -> the model's frame
resampler.py       resampler.{h,cc}            IMU rate -> model rate, integers
features.py        features.{h,cc}             raw units -> int8 model input
spotter.py         spotter.{h,cc}              when to infer, when to decide
classifier.py      (TFLM in the sketch)        the int8 model through TFLM
stroke_features.py stroke_features.{h,cc}      a drawn path -> the stroke model's int8 input
stroke.py          stroke.{h,cc}               intent (rest, draw, rest), the gyro stroke,
                                               the active set's decision
core.py            core.{h,cc}                 the pipeline glue, packets out
=================  ==========================  ==================================

Same integer arithmetic on both sides, so a recorded stream yields the same packets on
the chip and here (tests/test_core_equivalence.py runs both; firmware/tests/qemu runs
the chip's own TFLM kernels on a Cortex-M4). Packet layouts live in ``wand.protocol``,
which also generates ``protocol.h``.
"""
