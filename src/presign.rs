//! Presigned download links (`PRESIGN_EXPIRES_SECONDS`): every file whose URI is `s3://bucket/key` gets
//! a SigV4 query-signed `GET` URL and the instant it stops working; a file whose URI is already an
//! `https://` link (QuickSight presigned it) gets that link and, when its query says so, its expiry.
//!
//! How a link is made:
//! - Signed by the official `aws-sigv4` signer (service `s3`, payload `UNSIGNED-PAYLOAD`, only `host`
//!   signed, the session token inside the signature), with the function's own credentials, for the
//!   bucket's region (`bucketRegion`, else the function's region). No request is sent: signing is
//!   local; only the credentials provider may do I/O, through a small cache.
//! - Path style, `https://s3.{region}.{dns suffix}/{bucket}/{key}`: the one form S3 accepts for every
//!   bucket name. Virtual-hosted style puts the bucket in the host name, and a bucket name with dots
//!   (`reports.example.com`) then fails TLS validation against S3's `*.s3.{region}.amazonaws.com`
//!   certificate. botocore and the SDKs fall back to path style for such buckets too.
//! - `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` (or a profile's `endpoint_url`) replace the endpoint,
//!   looked up exactly as the SDK clients do; `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT`
//!   select the FIPS / dual-stack host.
//! - Lifetime: see [`link_lifetime`]; a link never outlives the credentials that signed it.
//!
//! A link is a convenience, the job result is not: when credentials cannot be had, or a file cannot be
//! signed, a warning is logged (without any URL) and the file simply has no `downloadUrl`. `presign`
//! never fails the invocation.
//!
//! Links stay out of logs: nothing here logs a URL, a key or a credential, and the signer's own
//! TRACE events (its canonical request contains the session token) are silenced while it signs.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_quicksight::primitives::{DateTime, DateTimeFormat};
use aws_sigv4::http_request::{
    PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_types::SdkConfig;
use aws_types::sdk_config::SharedTimeSource;
use aws_types::service_config::ServiceConfigKey;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tokio::sync::Mutex;
use tracing::{debug, warn};

use crate::config::Config;
use crate::error::Error;
use crate::output::{File, Output};

/// The longest lifetime SigV4 query signing allows (7 days).
pub const MAX_LIFETIME: Duration = Duration::from_secs(604_800);

/// Cached credentials are fetched again this long before they expire, so a fresh link is not cut short
/// by credentials about to be rotated.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);
/// Credentials without an expiry (environment variables, as in Lambda) are read again after this long.
const REUSE_UNDATED_FOR: Duration = Duration::from_secs(900);
/// The credentials provider gets this long (the SDK's identity cache uses the same bound).
const LOAD_TIMEOUT: Duration = Duration::from_secs(5);

/// RFC 3986 unreserved characters stay as they are; everything else is percent-encoded (query values).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
/// The same for a path, keeping the `/` between key segments (as botocore and the SDKs do for S3).
const PATH: &AsciiSet = &QUERY_VALUE.remove(b'/');

/// How long a link may live, in whole seconds: the lifetime asked for, capped by SigV4's 7 days and by
/// the time the signing credentials have left. `None` when less than one second would remain (the
/// credentials have expired or are about to): no link is better than a link that is already dead.
///
/// `now` is the signing time, so the link stops working at `now + lifetime`.
pub fn link_lifetime(now: SystemTime, requested: Duration, credentials_expiry: Option<SystemTime>) -> Option<Duration> {
    let mut seconds = requested.min(MAX_LIFETIME).as_secs();
    if let Some(expiry) = credentials_expiry {
        seconds = seconds.min(expiry.duration_since(now).ok()?.as_secs());
    }
    (seconds >= 1).then(|| Duration::from_secs(seconds))
}

/// The expiry of an already presigned `https://` URL (`X-Amz-Date` + `X-Amz-Expires`) as RFC 3339, or
/// `None` when its query does not carry both.
pub fn presigned_url_expiry(url: &str) -> Option<String> {
    let without_fragment = url.split('#').next().unwrap_or(url);
    let (_, query) = without_fragment.split_once('?')?;
    let mut date = None;
    let mut expires = None;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_encoding::percent_decode_str(value).decode_utf8().ok()?;
        if name.eq_ignore_ascii_case("X-Amz-Date") {
            date = Some(value.into_owned());
        } else if name.eq_ignore_ascii_case("X-Amz-Expires") {
            expires = Some(value.into_owned());
        }
    }
    let signed_at = parse_amz_date(&date?)?;
    let seconds: i64 = expires?.parse().ok().filter(|s: &i64| *s >= 0)?;
    rfc3339(DateTime::from_secs(signed_at.secs().checked_add(seconds)?))
}

/// `20251203T060001Z` (SigV4's basic ISO 8601 form) to a date-time.
fn parse_amz_date(value: &str) -> Option<DateTime> {
    let b = value.as_bytes();
    if b.len() != 16
        || b[8] != b'T'
        || b[15] != b'Z'
        || !value[..8]
            .bytes()
            .chain(value[9..15].bytes())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let extended = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &value[0..4],
        &value[4..6],
        &value[6..8],
        &value[9..11],
        &value[11..13],
        &value[13..15]
    );
    DateTime::from_str(&extended, DateTimeFormat::DateTime).ok()
}

fn rfc3339(time: DateTime) -> Option<String> {
    time.fmt(DateTimeFormat::DateTime).ok()
}

/// Where links point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// An explicit endpoint (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, a profile, or client config).
    Override(String),
    /// The regional S3 endpoint of the bucket's region.
    Aws { fips: bool, dual_stack: bool },
}

impl Endpoint {
    /// The endpoint S3 clients built from `sdk` would use, looked up the same way the generated SDK
    /// clients do (an endpoint set in code wins; then `AWS_ENDPOINT_URL_S3`, the profile's `s3`
    /// section, `AWS_ENDPOINT_URL`, the profile's `endpoint_url`).
    pub fn from_sdk_config(sdk: &SdkConfig) -> Endpoint {
        let configured = if sdk.get_origin("endpoint_url").is_client_config() {
            sdk.endpoint_url().map(str::to_owned)
        } else {
            ServiceConfigKey::builder()
                .service_id("S3")
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .ok()
                .and_then(|key| sdk.service_config().and_then(|config| config.load_config(key)))
                .or_else(|| sdk.endpoint_url().map(str::to_owned))
        };
        match configured
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty())
        {
            Some(url) => Endpoint::Override(url),
            None => Endpoint::Aws {
                fips: sdk.use_fips().unwrap_or(false),
                dual_stack: sdk.use_dual_stack().unwrap_or(false),
            },
        }
    }

    /// The scheme, authority and any base path, without a trailing slash.
    fn base(&self, region: &str) -> String {
        match self {
            Endpoint::Override(url) => url.trim_end_matches('/').to_owned(),
            Endpoint::Aws { fips, dual_stack } => format!(
                "https://{}{}.{region}.{}",
                if *fips { "s3-fips" } else { "s3" },
                if *dual_stack { ".dualstack" } else { "" },
                dns_suffix(region)
            ),
        }
    }
}

/// The DNS suffix of a region's partition.
fn dns_suffix(region: &str) -> &'static str {
    const SUFFIXES: [(&str, &str); 5] = [
        ("cn-", "amazonaws.com.cn"),
        ("us-isob-", "sc2s.sgov.gov"),
        ("us-isof-", "csp.hci.ic.gov"),
        ("us-iso-", "c2s.ic.gov"),
        ("eu-isoe-", "cloud.adc-e.uk"),
    ];
    SUFFIXES
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("amazonaws.com", |(_, suffix)| suffix)
}

/// A region name that can go into a host name unchanged (`eu-west-1`), so a bad value from a result
/// cannot redirect a link.
fn is_region_name(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The region a file's link is signed for: the bucket's, else the function's.
pub fn signing_region<'a>(file: &'a File, function_region: Option<&'a str>) -> Option<&'a str> {
    file.bucket_region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .or(function_region)
}

/// The unsigned URL of `bucket/key` (path style), as the signer and the client see it.
pub fn object_url(endpoint: &Endpoint, region: &str, bucket: &str, key: &str) -> String {
    format!(
        "{}/{}/{}",
        endpoint.base(region),
        utf8_percent_encode(bucket, PATH),
        utf8_percent_encode(key, PATH)
    )
}

/// Signs `GET url` for S3 with query parameters and returns the link. Pure: same inputs, same link.
pub fn presign_url(
    url: &str,
    region: &str,
    credentials: &Credentials,
    signing_time: SystemTime,
    lifetime: Duration,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(lifetime);
    // S3 signs the path exactly as sent: no second encoding, no `.`/`..` normalisation (keys may hold them).
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.session_token_mode = SessionTokenMode::Include;
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("s3")
        .time(signing_time)
        .settings(settings)
        .build()?
        .into();
    let request = SignableRequest::new("GET", url, std::iter::empty(), SignableBody::UnsignedPayload)?;
    // The signer traces its canonical request, which holds the session token: keep it out of every log.
    let (instructions, _) =
        tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), || sign(request, &params))?
            .into_parts();
    let (_, query) = instructions.into_parts();
    // botocore's order: the signature last.
    let (signature, mut rest): (Vec<_>, Vec<_>) = query.into_iter().partition(|(name, _)| *name == "X-Amz-Signature");
    rest.extend(signature);
    let mut link = String::with_capacity(url.len() + 512);
    link.push_str(url);
    for (i, (name, value)) in rest.iter().enumerate() {
        link.push(if i == 0 { '?' } else { '&' });
        link.push_str(name);
        link.push('=');
        link.extend(utf8_percent_encode(value, QUERY_VALUE));
    }
    Ok(link)
}

/// Credentials from the SDK's provider, kept between invocations while they are fresh (see
/// [`CredentialsCache::is_fresh`]), so a provider that does I/O (container or instance metadata, STS)
/// is not asked on every invocation.
struct CredentialsCache {
    provider: SharedCredentialsProvider,
    cached: Mutex<Option<(Credentials, SystemTime)>>,
}

impl CredentialsCache {
    fn new(provider: SharedCredentialsProvider) -> Self {
        CredentialsCache {
            provider,
            cached: Mutex::new(None),
        }
    }

    /// Dated credentials are reused until [`REFRESH_BEFORE_EXPIRY`] before their expiry; undated ones
    /// for [`REUSE_UNDATED_FOR`] after they were fetched.
    fn is_fresh(credentials: &Credentials, fetched_at: SystemTime, now: SystemTime) -> bool {
        match credentials.expiry() {
            Some(expiry) => now.checked_add(REFRESH_BEFORE_EXPIRY).is_some_and(|t| t < expiry),
            None => now.duration_since(fetched_at).is_ok_and(|age| age < REUSE_UNDATED_FOR),
        }
    }

    async fn get(&self, now: SystemTime) -> Result<Credentials, String> {
        let mut cached = self.cached.lock().await;
        if let Some((credentials, fetched_at)) = cached.as_ref()
            && Self::is_fresh(credentials, *fetched_at, now)
        {
            return Ok(credentials.clone());
        }
        let credentials = match tokio::time::timeout(LOAD_TIMEOUT, self.provider.provide_credentials()).await {
            Ok(Ok(credentials)) => credentials,
            Ok(Err(error)) => return Err(aws_sdk_quicksight::error::DisplayErrorContext(&error).to_string()),
            Err(_) => {
                return Err(format!(
                    "the credentials provider did not answer within {LOAD_TIMEOUT:?}"
                ));
            }
        };
        *cached = Some((credentials.clone(), now));
        Ok(credentials)
    }
}

pub struct Presigner {
    requested: Duration,
    function_region: Option<String>,
    endpoint: Endpoint,
    time: SharedTimeSource,
    credentials: Option<CredentialsCache>,
}

/// Shows the settings only: a presigner holds no link, and credentials stay out of debug output.
impl fmt::Debug for Presigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Presigner")
            .field("requested", &self.requested)
            .field("function_region", &self.function_region)
            .field("endpoint", &self.endpoint)
            .field("has_credentials_provider", &self.credentials.is_some())
            .finish()
    }
}

impl Presigner {
    /// A presigner when `PRESIGN_EXPIRES_SECONDS` is set. Uses the SDK configuration's credentials
    /// provider, region, endpoint settings and clock.
    pub fn new(config: &Config, sdk: &SdkConfig) -> Option<Self> {
        let requested = config.presign_expires?;
        let credentials = sdk.credentials_provider().map(CredentialsCache::new);
        if credentials.is_none() {
            warn!(
                "PRESIGN_EXPIRES_SECONDS is set but the SDK configuration has no credentials provider: s3:// results get no download link"
            );
        }
        Some(Presigner {
            requested,
            function_region: sdk.region().map(|r| r.as_ref().to_owned()),
            endpoint: Endpoint::from_sdk_config(sdk),
            time: sdk.time_source().unwrap_or_default(),
            credentials,
        })
    }

    /// Adds `downloadUrl` and `downloadUrlExpiresAt` to every file with an `s3://` URI, and passes
    /// QuickSight's own `https://` links through. Never fails: a file that cannot get a link keeps none
    /// and a warning is logged.
    pub async fn presign(&self, output: &mut Output) -> Result<(), Error> {
        // SigV4 dates have whole seconds; the expiry reported is exactly the one S3 will enforce.
        let now = whole_seconds(self.time.now());
        let needs_signing = output.files.iter().any(|f| f.s3_uri.as_deref().is_some_and(is_s3_uri));
        let credentials = if needs_signing {
            self.credentials(now).await
        } else {
            None
        };
        let (mut signed, mut passed, mut skipped) = (0_usize, 0_usize, 0_usize);
        for file in &mut output.files {
            let Some(uri) = file.s3_uri.as_deref() else { continue };
            if is_https_uri(uri) {
                file.download_url_expires_at = presigned_url_expiry(uri);
                file.download_url = Some(uri.to_owned());
                passed += 1;
            } else if is_s3_uri(uri) {
                match credentials.as_ref().and_then(|c| self.sign_file(file, c, now)) {
                    Some((url, expires_at)) => {
                        file.download_url = Some(url);
                        file.download_url_expires_at = Some(expires_at);
                        signed += 1;
                    }
                    None => skipped += 1,
                }
            }
        }
        debug!(signed, passed_through = passed, skipped, "download links");
        Ok(())
    }

    async fn credentials(&self, now: SystemTime) -> Option<Credentials> {
        let Some(cache) = &self.credentials else {
            warn!("no credentials provider: s3:// results get no download link");
            return None;
        };
        match cache.get(now).await {
            Ok(credentials) => Some(credentials),
            Err(error) => {
                warn!(error = %error, "could not get credentials to presign download links; the result is returned without them");
                None
            }
        }
    }

    /// The link and its RFC 3339 expiry for one `s3://` file, or `None` (with a warning saying why).
    fn sign_file(&self, file: &File, credentials: &Credentials, now: SystemTime) -> Option<(String, String)> {
        let file_group = file.file_group;
        let (Some(bucket), Some(key)) = (file.bucket.as_deref(), file.key.as_deref()) else {
            warn!(file_group, "s3:// result without bucket or key: no download link");
            return None;
        };
        if bucket.is_empty() || key.is_empty() {
            warn!(file_group, "s3:// result without bucket or key: no download link");
            return None;
        }
        let Some(region) = signing_region(file, self.function_region.as_deref()).filter(|r| is_region_name(r)) else {
            warn!(
                file_group,
                "no usable bucket region and no function region: no download link"
            );
            return None;
        };
        let Some(lifetime) = link_lifetime(now, self.requested, credentials.expiry()) else {
            warn!(
                file_group,
                "the signing credentials expire in less than a second: no download link"
            );
            return None;
        };
        let expires_at = rfc3339(DateTime::from(now.checked_add(lifetime)?))?;
        match presign_url(
            &object_url(&self.endpoint, region, bucket, key),
            region,
            credentials,
            now,
            lifetime,
        ) {
            Ok(url) => Some((url, expires_at)),
            Err(error) => {
                warn!(file_group, error = %error, "could not sign a download link");
                None
            }
        }
    }
}

fn is_s3_uri(uri: &str) -> bool {
    uri.get(..5).is_some_and(|scheme| scheme.eq_ignore_ascii_case("s3://"))
}

fn is_https_uri(uri: &str) -> bool {
    uri.get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

fn whole_seconds(time: SystemTime) -> SystemTime {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => UNIX_EPOCH + Duration::from_secs(since.as_secs()),
        Err(_) => time,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use aws_credential_types::provider::error::CredentialsError;
    use aws_credential_types::provider::future::ProvideCredentials as ProvideFuture;
    use aws_smithy_async::time::StaticTimeSource;
    use aws_types::region::Region;
    use aws_types::service_config::LoadServiceConfig;

    use super::*;
    use crate::output::{JobIdentity, Outcome, UserKind};

    /// 2025-12-03T06:00:01Z.
    const T0: u64 = 1_764_741_601;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn secs(seconds: u64) -> Duration {
        Duration::from_secs(seconds)
    }

    #[test]
    fn the_lifetime_is_the_setting_when_nothing_caps_it() {
        assert_eq!(link_lifetime(at(T0), secs(3600), None), Some(secs(3600)));
        assert_eq!(link_lifetime(at(T0), secs(3600), Some(at(T0 + 7200))), Some(secs(3600)));
        assert_eq!(link_lifetime(at(T0), secs(1), None), Some(secs(1)));
    }

    #[test]
    fn the_lifetime_never_exceeds_seven_days() {
        assert_eq!(link_lifetime(at(T0), secs(604_801), None), Some(secs(604_800)));
        assert_eq!(
            link_lifetime(at(T0), secs(u64::from(u32::MAX)), None),
            Some(MAX_LIFETIME)
        );
        assert_eq!(
            link_lifetime(at(T0), secs(10_000_000), Some(at(T0 + 9_000_000))),
            Some(secs(604_800))
        );
    }

    #[test]
    fn the_lifetime_never_exceeds_the_credentials_time_left_in_whole_seconds() {
        assert_eq!(link_lifetime(at(T0), secs(43_200), Some(at(T0 + 900))), Some(secs(900)));
        let expiry = at(T0) + Duration::from_millis(1_999);
        assert_eq!(link_lifetime(at(T0), secs(3600), Some(expiry)), Some(secs(1)));
    }

    #[test]
    fn credentials_with_less_than_a_second_left_give_no_link() {
        assert_eq!(
            link_lifetime(at(T0), secs(3600), Some(at(T0) + Duration::from_millis(999))),
            None
        );
        assert_eq!(link_lifetime(at(T0), secs(3600), Some(at(T0))), None);
        assert_eq!(link_lifetime(at(T0), secs(3600), Some(at(T0 - 60))), None);
    }

    #[test]
    fn a_presigned_https_url_reports_the_expiry_written_in_its_query() {
        let url = "https://quicksight-snapshots.s3.us-east-1.amazonaws.com/a/b.pdf?X-Amz-Security-Token=x%2By&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20251203T060001Z&X-Amz-SignedHeaders=host&X-Amz-Expires=21600&X-Amz-Credential=AKID%2F20251203%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abc";
        assert_eq!(presigned_url_expiry(url).as_deref(), Some("2025-12-03T12:00:01Z"));
        assert_eq!(
            presigned_url_expiry("https://h/k?x-amz-expires=60&x-amz-date=20251231T235930Z#frag").as_deref(),
            Some("2026-01-01T00:00:30Z")
        );
    }

    #[test]
    fn a_url_without_both_query_fields_has_no_expiry() {
        for url in [
            "https://h/k",
            "https://h/k?X-Amz-Date=20251203T060001Z",
            "https://h/k?X-Amz-Expires=60",
            "https://h/k?X-Amz-Date=2025-12-03T06:00:01Z&X-Amz-Expires=60",
            "https://h/k?X-Amz-Date=20251203T060001Z&X-Amz-Expires=-5",
            "https://h/k?X-Amz-Date=20251303T060001Z&X-Amz-Expires=60",
            "https://h/k?Expires=1764741601&Signature=abc",
        ] {
            assert_eq!(presigned_url_expiry(url), None, "{url}");
        }
    }

    fn file(uri: Option<&str>, bucket_region: Option<&str>) -> File {
        let (bucket, key) = match uri.and_then(|u| u.strip_prefix("s3://")) {
            Some(rest) => match rest.split_once('/') {
                Some((b, k)) => (Some(b.to_owned()), Some(k.to_owned())),
                None => (Some(rest.to_owned()), None),
            },
            None => (None, None),
        };
        File {
            user: UserKind::Anonymous,
            file_group: 0,
            format: Some("PDF".into()),
            sheets: Vec::new(),
            s3_uri: uri.map(str::to_owned),
            bucket,
            key,
            bucket_region: bucket_region.map(str::to_owned),
            errors: Vec::new(),
            download_url: None,
            download_url_expires_at: None,
        }
    }

    #[test]
    fn links_are_signed_for_the_bucket_region_else_the_function_region() {
        let f = file(Some("s3://b/k"), Some("eu-central-1"));
        assert_eq!(signing_region(&f, Some("us-east-1")), Some("eu-central-1"));
        let f = file(Some("s3://b/k"), Some(" "));
        assert_eq!(signing_region(&f, Some("us-east-1")), Some("us-east-1"));
        let f = file(Some("s3://b/k"), None);
        assert_eq!(signing_region(&f, Some("ap-southeast-2")), Some("ap-southeast-2"));
        assert_eq!(signing_region(&f, None), None);
    }

    #[test]
    fn only_plain_region_names_reach_a_host_name() {
        for region in ["us-east-1", "cn-north-1", "us-gov-west-1", "eu-isoe-west-1"] {
            assert!(is_region_name(region), "{region}");
        }
        for region in ["", "EU-WEST-1", "evil.example.com/", "us-east-1.attacker", "a b"] {
            assert!(!is_region_name(region), "{region}");
        }
    }

    #[test]
    fn object_urls_are_path_style_with_the_key_encoded_once() {
        let aws = Endpoint::Aws {
            fips: false,
            dual_stack: false,
        };
        assert_eq!(
            object_url(
                &aws,
                "eu-west-1",
                "reports.example.com",
                "snap/2025 Q4/Ünï~code+r_1.pdf"
            ),
            "https://s3.eu-west-1.amazonaws.com/reports.example.com/snap/2025%20Q4/%C3%9Cn%C3%AF~code%2Br_1.pdf"
        );
        assert_eq!(
            object_url(&aws, "cn-northwest-1", "b", "a/./b/../c%d?e#f"),
            "https://s3.cn-northwest-1.amazonaws.com.cn/b/a/./b/../c%25d%3Fe%23f"
        );
        let fips = Endpoint::Aws {
            fips: true,
            dual_stack: true,
        };
        assert_eq!(
            object_url(&fips, "us-gov-west-1", "b", "k"),
            "https://s3-fips.dualstack.us-gov-west-1.amazonaws.com/b/k"
        );
        let local = Endpoint::Override("http://127.0.0.1:5000/".into());
        assert_eq!(object_url(&local, "eu-west-1", "b", "k"), "http://127.0.0.1:5000/b/k");
    }

    /// Answers `AWS_ENDPOINT_URL_S3`-style lookups like aws-config's environment service config.
    #[derive(Debug)]
    struct ServiceEnv(Vec<(&'static str, &'static str)>);

    impl LoadServiceConfig for ServiceEnv {
        fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
            let service = format!("{}_{}", key.env(), key.service_id().to_ascii_uppercase());
            let lookup = |name: &str| self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned());
            lookup(&service).or_else(|| lookup(key.env()))
        }
    }

    #[test]
    fn the_s3_endpoint_override_is_honoured_like_the_sdk_clients_do() {
        let sdk = |vars| SdkConfig::builder().service_config(ServiceEnv(vars)).build();
        assert_eq!(
            Endpoint::from_sdk_config(&sdk(vec![
                ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4566"),
                ("AWS_ENDPOINT_URL_SNS", "http://127.0.0.1:9"),
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:7"),
            ])),
            Endpoint::Override("http://127.0.0.1:4566".into())
        );
        assert_eq!(
            Endpoint::from_sdk_config(&sdk(vec![("AWS_ENDPOINT_URL", "http://127.0.0.1:7")])),
            Endpoint::Override("http://127.0.0.1:7".into())
        );
        assert_eq!(
            Endpoint::from_sdk_config(&sdk(vec![("AWS_ENDPOINT_URL_SNS", "http://127.0.0.1:9")])),
            Endpoint::Aws {
                fips: false,
                dual_stack: false
            }
        );
        let in_code = SdkConfig::builder().endpoint_url("http://127.0.0.1:8").build();
        assert_eq!(
            Endpoint::from_sdk_config(&in_code),
            Endpoint::Override("http://127.0.0.1:8".into())
        );
        let fips = SdkConfig::builder().use_fips(true).build();
        assert_eq!(
            Endpoint::from_sdk_config(&fips),
            Endpoint::Aws {
                fips: true,
                dual_stack: false
            }
        );
    }

    /// Produced by botocore 1.44 (`generate_presigned_url('get_object', ...)`, path style, s3v4) with
    /// these credentials at T0: a known answer that needs no Python at test time.
    #[test]
    fn a_link_matches_botocore_byte_for_byte() {
        let credentials = Credentials::new("AKIDEXAMPLE", "secret/key+x", Some("tok/en+==".into()), None, "test");
        let aws = Endpoint::Aws {
            fips: false,
            dual_stack: false,
        };
        let url = object_url(
            &aws,
            "eu-west-1",
            "reports.example-bucket",
            "snap/2025 Q4/Ünï~code+r_1.pdf",
        );
        let link = presign_url(&url, "eu-west-1", &credentials, at(T0), secs(3600)).unwrap();
        assert_eq!(
            link,
            "https://s3.eu-west-1.amazonaws.com/reports.example-bucket/snap/2025%20Q4/%C3%9Cn%C3%AF~code%2Br_1.pdf\
             ?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIDEXAMPLE%2F20251203%2Feu-west-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20251203T060001Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\
             &X-Amz-Security-Token=tok%2Fen%2B%3D%3D\
             &X-Amz-Signature=e28c457bf457b3888f7f4bdafde6a7bfdecacd89d2ce48a33ac0b2f27ba7b07f"
        );
    }

    fn output(files: Vec<File>) -> Output {
        Output {
            job: JobIdentity {
                aws_account_id: "123456789012".into(),
                dashboard_id: "sales".into(),
                snapshot_job_id: "job-1".into(),
                arn: "arn:aws:quicksight:us-east-1:123456789012:dashboard/sales/snapshot-job/job-1".into(),
                region: "us-east-1".into(),
            },
            job_status: "COMPLETED".into(),
            outcome: Outcome::Succeeded,
            terminal: true,
            retry_after_seconds: None,
            created_time: None,
            last_updated_time: None,
            files,
            errors: Vec::new(),
            request_id: None,
            summary: String::new(),
            notification: None,
        }
    }

    /// A provider that counts its calls and hands out credentials expiring at `expiry`.
    #[derive(Debug, Clone)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        expiry: Option<SystemTime>,
        fail: bool,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> ProvideFuture<'a>
        where
            Self: 'a,
        {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                return ProvideFuture::ready(Err(CredentialsError::not_loaded("no credentials in this test")));
            }
            ProvideFuture::ready(Ok(Credentials::new(
                "AKIDTEST",
                "secret-in-test",
                Some("token".into()),
                self.expiry,
                "counting",
            )))
        }
    }

    fn presigner(provider: &Counting, now: u64, requested: u64) -> Presigner {
        let sdk = SdkConfig::builder()
            .region(Region::new("us-east-1"))
            .credentials_provider(SharedCredentialsProvider::new(provider.clone()))
            .time_source(StaticTimeSource::from_secs(now))
            .build();
        let config = Config {
            presign_expires: Some(secs(requested)),
            ..Config::default()
        };
        Presigner::new(&config, &sdk).unwrap()
    }

    fn counting(expiry: Option<SystemTime>, fail: bool) -> Counting {
        Counting {
            calls: Arc::new(AtomicUsize::new(0)),
            expiry,
            fail,
        }
    }

    #[test]
    fn no_presigner_without_the_setting() {
        let sdk = SdkConfig::builder().build();
        assert!(Presigner::new(&Config::default(), &sdk).is_none());
    }

    #[tokio::test]
    async fn every_s3_file_gets_a_link_that_ends_with_the_credentials() {
        let provider = counting(Some(at(T0 + 1800)), false);
        let presigner = presigner(&provider, T0, 3600);
        let mut out = output(vec![
            file(Some("s3://reports/a.pdf"), Some("eu-west-1")),
            file(None, None),
            file(Some("s3://reports/b.csv"), None),
        ]);
        presigner.presign(&mut out).await.unwrap();
        let a = &out.files[0];
        let link = a.download_url.as_deref().unwrap();
        assert!(link.starts_with(
            "https://s3.eu-west-1.amazonaws.com/reports/a.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIDTEST%2F20251203%2Feu-west-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20251203T060001Z&X-Amz-Expires=1800&"
        ));
        assert_eq!(a.download_url_expires_at.as_deref(), Some("2025-12-03T06:30:01Z"));
        assert_eq!(
            (
                out.files[1].download_url.as_deref(),
                out.files[1].download_url_expires_at.as_deref()
            ),
            (None, None)
        );
        let b = out.files[2].download_url.as_deref().unwrap();
        assert!(
            b.starts_with("https://s3.us-east-1.amazonaws.com/reports/b.csv?"),
            "{b}"
        );
        assert_eq!(provider.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn quicksight_https_links_pass_through_with_their_own_expiry() {
        let provider = counting(None, false);
        let presigner = presigner(&provider, T0, 60);
        let qs = "https://qs.s3.us-east-1.amazonaws.com/x.pdf?X-Amz-Date=20251203T060001Z&X-Amz-Expires=300&X-Amz-Signature=s";
        let mut out = output(vec![file(Some(qs), None), file(Some("https://qs.example/y.pdf"), None)]);
        presigner.presign(&mut out).await.unwrap();
        assert_eq!(out.files[0].download_url.as_deref(), Some(qs));
        assert_eq!(
            out.files[0].download_url_expires_at.as_deref(),
            Some("2025-12-03T06:05:01Z")
        );
        assert_eq!(out.files[1].download_url.as_deref(), Some("https://qs.example/y.pdf"));
        assert_eq!(out.files[1].download_url_expires_at, None);
        assert_eq!(
            provider.calls.load(Ordering::SeqCst),
            0,
            "no s3:// file, no credentials needed"
        );
        let json = serde_json::to_value(&out.files[1]).unwrap();
        assert_eq!(json["downloadUrl"], "https://qs.example/y.pdf");
        assert!(json.get("downloadUrlExpiresAt").is_none());
    }

    #[tokio::test]
    async fn a_credentials_error_leaves_the_result_whole_and_without_links() {
        let provider = counting(None, true);
        let presigner = presigner(&provider, T0, 3600);
        let mut out = output(vec![file(Some("s3://reports/a.pdf"), None)]);
        let before = out.clone();
        presigner.presign(&mut out).await.unwrap();
        assert_eq!(out, before);
    }

    #[tokio::test]
    async fn expired_credentials_give_no_link() {
        let provider = counting(Some(at(T0)), false);
        let presigner = presigner(&provider, T0, 3600);
        let mut out = output(vec![file(Some("s3://reports/a.pdf"), None)]);
        presigner.presign(&mut out).await.unwrap();
        assert_eq!(out.files[0].download_url, None);
        assert_eq!(out.files[0].download_url_expires_at, None);
    }

    #[tokio::test]
    async fn a_bad_bucket_region_gives_no_link() {
        let provider = counting(None, false);
        let presigner = presigner(&provider, T0, 3600);
        let mut out = output(vec![file(Some("s3://reports/a.pdf"), Some("evil.example.com/x"))]);
        presigner.presign(&mut out).await.unwrap();
        assert_eq!(out.files[0].download_url, None);
    }

    #[tokio::test]
    async fn credentials_are_cached_until_close_to_their_expiry() {
        let provider = counting(Some(at(T0 + 3600)), false);
        let cache = CredentialsCache::new(SharedCredentialsProvider::new(provider.clone()));
        cache.get(at(T0)).await.unwrap();
        cache.get(at(T0 + 3000)).await.unwrap();
        assert_eq!(provider.calls.load(Ordering::SeqCst), 1);
        cache.get(at(T0 + 3301)).await.unwrap();
        assert_eq!(
            provider.calls.load(Ordering::SeqCst),
            2,
            "refreshed within 5 minutes of expiry"
        );

        let undated = counting(None, false);
        let cache = CredentialsCache::new(SharedCredentialsProvider::new(undated.clone()));
        cache.get(at(T0)).await.unwrap();
        cache.get(at(T0 + 899)).await.unwrap();
        assert_eq!(undated.calls.load(Ordering::SeqCst), 1);
        cache.get(at(T0 + 900)).await.unwrap();
        assert_eq!(
            undated.calls.load(Ordering::SeqCst),
            2,
            "undated credentials are read again after 15 minutes"
        );
    }

    #[tokio::test]
    async fn a_failed_load_is_not_cached() {
        let provider = counting(None, true);
        let cache = CredentialsCache::new(SharedCredentialsProvider::new(provider.clone()));
        assert!(cache.get(at(T0)).await.is_err());
        assert!(cache.get(at(T0 + 1)).await.is_err());
        assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn debug_output_holds_no_secret() {
        let provider = counting(None, false);
        let shown = format!("{:?}", presigner(&provider, T0, 3600));
        assert_eq!(
            shown,
            "Presigner { requested: 3600s, function_region: Some(\"us-east-1\"), endpoint: Aws { fips: false, dual_stack: false }, has_credentials_provider: true }"
        );
    }
}
