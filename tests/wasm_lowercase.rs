//! wasm-bindgen-test suite, run under Node: lowercasing, which the wasm32 build hands to the JS engine for
//! non-ASCII text, gives what `str::to_lowercase` gives.
#![cfg(target_arch = "wasm32")]

use pipedrive_sync::text::lowercase::Lowercased;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn lowercases_as_std_does() {
    let texts = [
        "Ann@ACME.com",
        "ÉMILE Ökologie GmbH",
        "ΟΔΥΣΣΕΥΣ",
        "ΣΑΣ Σ",
        "İstanbul",
        "",
        "ß",
        "STRASSE",
        "Ǆemal",
        "ＡＢＣ",
        "Ꭰꭰ",
        "ÅNGSTRÖM",
        "Дмитрий ИВАНОВ",
        "ǅ",
    ];
    for text in texts {
        assert_eq!(text.lowercased(), text.to_lowercase(), "{text}");
    }
}
