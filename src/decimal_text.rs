//! A finite `f64` as plain decimal text, the text of its `Display` (`0.1`, `1e21` as `1000000000000000000000`),
//! produced from serde_json's shortest round-trip digits so that core's float formatting (`flt2dec`, both Grisu
//! and Dragon) stays out of the `.wasm`. Both pick the shortest digits that read back as the same number; when
//! the exact value lies halfway between two such 17-digit texts, `Display` rounds the last digit up and this
//! may round it down (about one value in ten thousand random bit patterns; never a whole number below 2^53).

use serde_json::Number;

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
}
