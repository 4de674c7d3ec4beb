#!/usr/bin/env node
// `npm run bench` belongs to the benchmark issue (#5); until it lands this says so and fails.
console.error("npm run bench: the benchmark is not implemented yet (issue #5: nccl-tests format, baselines, tuning)");
process.exit(1);
