//! Unicode lowercasing for comparing emails and names. On wasm32 a non-ASCII text is lowercased by the JS
//! engine's `String.prototype.toLowerCase` (the same Unicode default case conversion as `str::to_lowercase`,
//! final sigma included), whose tables every JS engine has already: core's would add about 15 KB to the
//! `.wasm`. Natively, and for ASCII text everywhere, it is `str::to_lowercase` itself.

/// Lowercasing as `str::to_lowercase` does it.
pub trait Lowercased {
    /// The text lowercased.
    fn lowercased(&self) -> String;
}

impl Lowercased for str {
    fn lowercased(&self) -> String {
        if self.is_ascii() {
            return self.to_ascii_lowercase();
        }
        unicode_lowercase(self)
    }
}

#[cfg(target_arch = "wasm32")]
fn unicode_lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

#[cfg(not(target_arch = "wasm32"))]
fn unicode_lowercase(text: &str) -> String {
    text.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_as_std_does() {
        for text in ["Ann@ACME.com", "ÉMILE Ökologie GmbH", "ΟΔΥΣΣΕΥΣ", "İstanbul", "", "ß", "Straße"] {
            assert_eq!(text.lowercased(), text.to_lowercase(), "{text}");
        }
    }
}
