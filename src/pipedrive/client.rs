//! Sending one request to Pipedrive through the host: the outcome classified, the call logged, the token kept
//! out of both.

use serde_json::{json, Value};

use crate::error::SyncError;
use crate::host::{Host, HttpRequest, LogLevel};
use crate::pipedrive::outcome::{classify, transport_failure};
use crate::pipedrive::request::path_of;
use crate::secret::ApiToken;

/// Sends `request` (authenticated by `token`) and returns the envelope's `data`, or the classified error.
pub async fn send<H: Host>(
    host: &H,
    token: &ApiToken,
    request: HttpRequest,
) -> Result<Value, SyncError> {
    let operation = format!(
        "{} {}",
        request.method,
        path_of(&request.url).split('?').next().unwrap_or("/")
    );
    let timeout_ms = request.timeout_ms;
    let started = host.now_ms();
    let result = match host.send(request).await {
        Ok(response) => {
            host.log(
                LogLevel::Debug,
                "pipedrive.response",
                json!({
                    "operation": operation,
                    "status": response.status,
                    "ms": host.now_ms() - started,
                    "rateLimitRemaining": response.header("x-ratelimit-remaining"),
                }),
            );
            classify(&operation, &response)
        }
        Err(failure) => Err(transport_failure(&operation, &failure, timeout_ms)),
    };
    result.map_err(|error| error.redacted(token.expose()))
}
