"""Quantization support: datasets, calibration ranges, uint8 parameters and the accuracy report."""
