"""Facts of the Kendryte K210 chip, pure numpy (nothing here imports xDSL).

Import from the submodules:

* :mod:`kcc.k210.layer_argument` — ``LayerArgument`` (the 12-word register block), ``make_layer_argument``;
* :mod:`kcc.k210.tables` — ``BatchNormTable``, ``ActivationTable``;
* :mod:`kcc.k210.kpu_ram` — KPU RAM constants, line layout, ``upload`` / ``download``;
* :mod:`kcc.k210.kpu_layer` — bit-exact ``kpu_layer`` / ``run_layer`` and ``KpuOptions``;
* :mod:`kcc.k210.limits` — chip limits and ``check_conv_limits`` / ``check_layer_limits``;
* :mod:`kcc.k210.pool_float` — the float meaning of the 10 KPU pool codes;
* :mod:`kcc.k210.weight_loads` — ``check_weight_loads`` (load_time, para_size, per-load weight limit);
* :mod:`kcc.k210.quantize_layer` — ``quantize_kpu_layer``: a float KPU layer to bit-exact registers, weights, tables;
* :mod:`kcc.k210.act_fit` — ``fit_activation``: the 16-segment activation table for any ``#nn.act``.
"""
