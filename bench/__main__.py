"""``python -m bench [--quick]``: run the benchmark suite and write bench/RESULTS.md."""

from bench.run import main

main()
