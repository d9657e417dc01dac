//! The `ecoute capacity` command line (work in progress).
