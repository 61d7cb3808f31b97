"""Benchmarks and load harnesses: run from the repository root (`make bench-crawl`,
`make bench-chat`, `make bench-load`). Not part of the installed product."""
