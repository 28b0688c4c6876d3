"""Pure-numpy kernels shared by the interpreter, passes and backends (no xDSL here)."""
