"""Frontends: TFLite and ONNX models into the nn dialect."""
