# Quick start: `make demo` serves a demo database, `make test` runs the whole check.
.PHONY: demo test bench

demo:
	bash .ci/demo

test:
	bash .ci/run

bench:
	python3 benchmarks/bench_generation.py
