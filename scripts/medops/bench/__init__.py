"""Benchmarks on throwaway light containers and the performance document they write (docs/performance.md).

`fleet` holds what every benchmark shares (the containers, what else ran on the machine, the document's
sections); `converge` times Ansible runs at fleet size (`make bench-converge`, `make bench-lab-converge`).
The inspection benchmark (`make bench-inspect`) lives with the inspection, in medops.inspect.bench.
"""
