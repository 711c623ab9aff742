"""Continuous control (issue 21): the wand's orientation drives a pointer or values.

The wire is the wand's raw IMU stream (50 notifications/s, on only while a profile with
a control mapping is active), fused on the host with a maintained AHRS library
(``imufusion``, x-io's Fusion): one module per stage.

* ``fusion``   raw samples (board frame, mg, 0.1 deg/s) -> orientation (quaternion,
               pitch/roll/yaw in degrees) and bias-corrected angular rate
* ``filters``  the 1-euro filter (the ``OneEuroFilter`` package) and the send gate: a
               message only when the value sent changes, at most ``max_rate_hz``
* ``mappings`` the air mouse (rates -> pixels: dead zone, acceleration curve, rest gate,
               clutch) and value mappings (an angle over a range -> 0..1)
* ``session``  one wand's control state: IMU packets in, (mapping, value) commands out,
               and the pointer moves a gesture made (undone before its actions)
* ``trace``    what the controls sent during ``wand demo --config``: live lines and a PNG

What each output sends (CC, pitch bend, OSC floats, pad axes, pointer moves) is declared
by the output module itself (``ControlKind`` in ``wand/outputs``), as gesture actions are.
"""
