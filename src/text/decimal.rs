//! Decimal text and `f64` without core's float formatting and parsing (`flt2dec`, `dec2flt` and its 10 KB table
//! of powers stay out of the `.wasm`).
//!
//! [`plain_decimal`] writes a finite `f64` as its `Display` does (`0.1`, `1e21` as `1000000000000000000000`),
//! from serde_json's shortest round-trip digits. Both pick the shortest digits that read back as the same number;
//! when the exact value lies halfway between two such 17-digit texts, `Display` rounds the last digit up and this
//! may round it down (about one value in ten thousand random bit patterns; never a whole number below 2^53).
//!
//! [`parse_decimal`] reads what `str::parse::<f64>` reads (`12`, `-0.5`, `.5`, `5.`, `1e3`, `inf`, `NaN`), to the
//! same value: exactly when digits and power of ten are exact in an `f64` (every count, id and header value the
//! engine reads), else from serde_json's reading corrected against the exact value with a small big integer.

use std::cmp::Ordering;

use serde_json::{Number, Value};

/// `n` as `format!("{n}")` would write it; `None` when `n` is not finite.
pub fn plain_decimal(n: f64) -> Option<String> {
    let shortest = Number::from_f64(n)?.to_string();
    let (negative, unsigned) = match shortest.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, shortest.as_str()),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let fraction = fraction.trim_end_matches('0');
    let all_digits = format!("{whole}{fraction}");
    let digits = all_digits.trim_start_matches('0');
    // Where the decimal point falls within `digits`.
    let point = whole.len() as i32 + exponent - (all_digits.len() - digits.len()) as i32;
    let mut text = String::new();
    if negative {
        text.push('-');
    }
    if digits.is_empty() {
        text.push('0');
    } else if point <= 0 {
        text.push_str("0.");
        text.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        text.push_str(digits);
    } else if point as usize >= digits.len() {
        text.push_str(digits);
        text.extend(std::iter::repeat_n('0', point as usize - digits.len()));
    } else {
        text.push_str(&digits[..point as usize]);
        text.push('.');
        text.push_str(&digits[point as usize..]);
    }
    Some(text)
}

/// The value `text.parse::<f64>()` reads; `None` where it fails.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let signed = |n: f64| if negative { -n } else { n };
    match unsigned.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => return Some(signed(f64::INFINITY)),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    let (number, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((number, exponent)) => (number, Some(exponent)),
        None => (unsigned, None),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return None;
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(exponent) => {
            let (minus, digits) = match exponent.as_bytes().first() {
                Some(b'-') => (true, &exponent[1..]),
                Some(b'+') => (false, &exponent[1..]),
                _ => (false, exponent),
            };
            if digits.is_empty() || !digits_only(digits) {
                return None;
            }
            let magnitude = digits.bytes().fold(0i64, |n, b| n.saturating_mul(10).saturating_add(i64::from(b - b'0')));
            if minus {
                -magnitude
            } else {
                magnitude
            }
        }
    };
    // value = significant × 10^power, `significant` without leading zeros.
    let all_digits = format!("{whole}{fraction}");
    let significant = all_digits.trim_start_matches('0');
    if significant.is_empty() {
        return Some(signed(0.0));
    }
    let power = exponent.saturating_sub(fraction.len() as i64);
    let order = power.saturating_add(significant.len() as i64);
    if order > 310 {
        return Some(signed(f64::INFINITY));
    }
    if order < -330 {
        return Some(signed(0.0));
    }
    // Clinger's fast path: digits and power of ten both exact, so one multiplication or division rounds once.
    const EXACT: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    if let Ok(mantissa) = significant.parse::<u64>() {
        if mantissa <= 1 << 53 && power.unsigned_abs() <= 22 {
            let (mantissa, scale) = (mantissa as f64, EXACT[power.unsigned_abs() as usize]);
            return Some(signed(if power < 0 { mantissa / scale } else { mantissa * scale }));
        }
    }
    // Otherwise serde_json's reading, within a step or two of the answer, then corrected against the exact value.
    let json = format!("{significant}e{power}");
    let near = serde_json::from_str::<Value>(&json).ok().and_then(|value| value.as_f64());
    let mut candidate = near.unwrap_or(if order > 0 { f64::MAX } else { 0.0 });
    for _ in 0..4 {
        if candidate.is_infinite() {
            break;
        }
        let up = candidate.next_up();
        let below = candidate.next_down().max(0.0);
        match compare_to_midpoint(significant, power, candidate) {
            Ordering::Greater => candidate = up,
            Ordering::Equal if candidate.to_bits() & 1 == 1 => candidate = up,
            _ if candidate > 0.0 => match compare_to_midpoint(significant, power, below) {
                Ordering::Less => candidate = below,
                Ordering::Equal if candidate.to_bits() & 1 == 1 => candidate = below,
                _ => break,
            },
            _ => break,
        }
    }
    Some(signed(candidate))
}

/// How `digits × 10^power` compares with the point halfway between the float `low` and the next one up
/// (for `f64::MAX`, the point from which a text rounds to infinity).
fn compare_to_midpoint(digits: &str, power: i64, low: f64) -> Ordering {
    // `low` is `mantissa × 2^exponent`; the midpoint is `(2 × mantissa + 1) × 2^(exponent - 1)`.
    let bits = low.to_bits();
    let (raw_exponent, fraction) = ((bits >> 52) as i64 & 0x7ff, bits & ((1 << 52) - 1));
    let (mantissa, exponent) =
        if raw_exponent == 0 { (fraction, -1074) } else { (fraction | (1 << 52), raw_exponent - 1075) };
    let mut value = Big::from_digits(digits);
    let mut midpoint = Big::from_u64(2 * mantissa + 1);
    let (mut value_twos, mut midpoint_twos) = (power, exponent - 1);
    if power >= 0 {
        value.times_pow5(power as u64);
    } else {
        midpoint.times_pow5(power.unsigned_abs());
    }
    let least = value_twos.min(midpoint_twos);
    value_twos -= least;
    midpoint_twos -= least;
    value.shift_left(value_twos as u64);
    midpoint.shift_left(midpoint_twos as u64);
    value.cmp(&midpoint)
}

/// A non-negative big integer, 32-bit limbs, least significant first, no high zero limbs.
#[derive(PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from_u64(n: u64) -> Big {
        let mut big = Big(vec![n as u32, (n >> 32) as u32]);
        big.trim();
        big
    }

    fn from_digits(digits: &str) -> Big {
        let mut big = Big(Vec::new());
        for digit in digits.bytes() {
            big.times_add(10, u32::from(digit - b'0'));
        }
        big
    }

    fn times_add(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn times_pow5(&mut self, mut power: u64) {
        while power > 0 {
            let step = power.min(13); // 5^13 fits in a u32
            self.times_add(5u32.pow(step as u32), 0);
            power -= step;
        }
    }

    fn shift_left(&mut self, bits: u64) {
        let (limbs, bits) = ((bits / 32) as usize, (bits % 32) as u32);
        if bits > 0 {
            let mut carry = 0u32;
            for limb in &mut self.0 {
                let shifted = (u64::from(*limb) << bits) | u64::from(carry);
                *limb = shifted as u32;
                carry = (shifted >> 32) as u32;
            }
            if carry > 0 {
                self.0.push(carry);
            }
        }
        self.0.splice(0..0, std::iter::repeat_n(0, limbs));
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_display_for_every_kind_of_float() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            1.5,
            -2.25,
            7.0,
            123.456,
            1e15,
            9e15,
            1e16,
            1.5e16,
            1e21,
            1e22,
            1e100,
            1e300,
            1e-5,
            1e-7,
            1.234e-10,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            2f64.powi(70),
            0.30000000000000004,
            123_456_789.123_456_79,
            9007199254740993.0,
            1e23,
            4.35,
            0.000123,
        ];
        // A deterministic spread over magnitudes and bit patterns.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let n = f64::from_bits(state);
            if n.is_finite() {
                values.push(n);
            }
        }
        let mut ties = 0;
        for n in values {
            let (plain, display) = (plain_decimal(n).unwrap(), format!("{n}"));
            if plain != display {
                // Only a halfway tie may differ: same length, reads back as the same number.
                assert_eq!((plain.len(), plain.parse::<f64>()), (display.len(), Ok(n)), "{n:e}: {plain} vs {display}");
                ties += 1;
            }
        }
        assert!(ties < 20, "{ties} halfway ties");
        assert_eq!(plain_decimal(f64::NAN), None);
    }
    #[test]
    fn parses_as_core_does() {
        let texts = [
            "0",
            "-0",
            "+0",
            "7",
            "007",
            "7.0",
            "7.",
            ".5",
            "-.5",
            "1e3",
            "1E3",
            "1e+3",
            "1e-3",
            "2.5e-3",
            "123456789",
            "9007199254740993",
            "9007199254740992",
            "18446744073709551616",
            "1e22",
            "1e23",
            "1.7976931348623157e308",
            "1e309",
            "1e-400",
            "5e-324",
            "0.1",
            "0.30000000000000004",
            "3.14159",
            "  1",
            "1 ",
            "",
            ".",
            "e5",
            "1e",
            "1e+",
            "--1",
            "+-1",
            "1.2.3",
            "inf",
            "-Infinity",
            "NaN",
            "nan",
            "infin",
            "0x10",
            "1_000",
            "١",
            "12a",
            "00000000000000000000000000001",
            "0.000000000000000000000000000001",
            "40",
            "2",
            "0.5",
            "86400",
        ];
        for text in texts {
            let core = text.parse::<f64>().ok();
            let ours = parse_decimal(text);
            match (core, ours) {
                (Some(a), Some(b)) if a.is_nan() => assert!(b.is_nan(), "{text:?}"),
                (a, b) => assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{text:?}"),
            }
        }
        // Whole numbers and short decimals read exactly as core reads them.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let whole = state % 10_000_000_000;
            let text = match state % 3 {
                0 => whole.to_string(),
                1 => format!("{}.{}", whole % 100_000, state % 1000),
                _ => format!("{}e-{}", whole % 1_000_000, state % 20),
            };
            assert_eq!(parse_decimal(&text).map(f64::to_bits), text.parse::<f64>().ok().map(f64::to_bits), "{text}");
        }
        // Any float, written shortest, long, and halfway to its neighbour: the hard cases of correct rounding.
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let n = f64::from_bits(state >> 1);
            if !n.is_finite() {
                continue;
            }
            let halfway = format!("{:.40e}", (n / 2.0) + (n.next_up() / 2.0));
            for text in [format!("{n:e}"), format!("{n:.30e}"), format!("{n}"), halfway] {
                assert_eq!(
                    parse_decimal(&text).map(f64::to_bits),
                    text.parse::<f64>().ok().map(f64::to_bits),
                    "{text}"
                );
            }
        }
    }
}
