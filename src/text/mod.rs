//! Text the engine reads and writes by hand instead of through core's heavier machinery: numbers in decimal
//! text ([`decimal`]) and lowercasing for comparisons ([`lowercase`]).

pub mod decimal;
pub mod lowercase;
