"""Training: recorded gestures -> the int8 model the firmware and the simulator run.

Stages, one module each: windows (recordings -> model-rate int8 windows, exactly as the
chip builds them), augment (why each transform), arch (our CNN and the TFLM magic_wand
baseline), quantize (int8 full-integer conversion), export (.tflite + C array + op list),
evaluate (held-out people, run through the TFLM interpreter), train (the whole run).
TensorFlow is imported only by arch, quantize and train.
"""
