"""kcc benchmarks: `python -m bench` measures, prints and (with --write) records them in docs/benchmarks.md.

Each benchmark module registers functions with `@benchmark(name, goal)`; a function returns `Metric` rows.
Timings are medians of repeated runs in this process, measured with `time.perf_counter`.
"""
