//! The simulator: a local fake of the five service APIs and IAM (see `docs/simulator.md`).
