//! Presigned download links against independent parties: a local S3 (moto_server) serves an object
//! through the link, and botocore's presigner, at the same frozen time with the same credentials,
//! produces byte-for-byte the same link.
//!
//! moto 5.1 does not check query-string signatures or their expiry (it only authenticates requests
//! with an `Authorization` header), so the refusal of a tampered or expired link is shown with a
//! reference verifier instead: botocore recomputes the signature from the link's own query, the way
//! S3 does, and the link's `X-Amz-Date` + `X-Amz-Expires` is compared with the given time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_async::time::StaticTimeSource;
use aws_types::SdkConfig;
use aws_types::region::Region;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};
use harness::http::LoopbackClient;
use hyper::Method;
use quicksight_snapshot_result::Config;
use quicksight_snapshot_result::output::{File, JobIdentity, Outcome, Output, UserKind};
use quicksight_snapshot_result::presign::Presigner;
use serde_json::{Value, json};

/// 2025-12-03T06:00:01Z.
const T0: u64 = 1_764_741_601;
const ACCESS_KEY: &str = "ASIALOCALTESTONLY001";
const SECRET: &str = "local/test+secret=not-a-real-key";
const TOKEN: &str = "IQoJb3JpZ2luX2VjE/local+session+token==";

fn venv_tool(name: &str, env: &str) -> PathBuf {
    let path = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin").join(name));
    assert!(
        path.is_file(),
        "{} not found: run `make tools` (creates ./.venv from requirements-dev.txt) or set {env}",
        path.display()
    );
    path
}

/// Only loopback, no proxy, no metadata service, no configured endpoints or profiles.
fn loopback_env(command: &mut Command) -> &mut Command {
    for name in [
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_PROFILE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
    ] {
        command.env_remove(name);
    }
    command
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_ACCESS_KEY_ID", "AKIDLOCALTESTONLY000")
        .env("AWS_SECRET_ACCESS_KEY", "local-test-secret-not-a-real-key")
        .env("AWS_REGION", "us-east-1")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
}

/// moto_server on a free loopback port, killed when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    async fn start() -> Moto {
        let binary = venv_tool("moto_server", "MOTO_SERVER");
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = loopback_env(&mut Command::new(&binary))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = LoopbackClient::new();
        for _ in 0..300 {
            if let Some(status) = moto.child.try_wait().unwrap() {
                panic!("moto_server exited early with {status}");
            }
            if client
                .get(&format!("{}/moto-api/data.json", moto.endpoint))
                .await
                .is_ok_and(|r| r.status == 200)
            {
                return moto;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto_server did not answer within 30 s on {}", moto.endpoint);
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What aws-config's environment service config answers, for the given variables only.
#[derive(Debug)]
struct ServiceEnv(Vec<(String, String)>);

impl LoadServiceConfig for ServiceEnv {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        let specific = format!("{}_{}", key.env(), key.service_id().to_ascii_uppercase());
        let lookup = |name: &str| self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        lookup(&specific).or_else(|| lookup(key.env()))
    }
}

struct Setup {
    function_region: &'static str,
    endpoint: Option<String>,
    fips: bool,
    dual_stack: bool,
    token: bool,
    credentials_expiry: Option<u64>,
    now: u64,
    requested: u64,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            function_region: "us-east-1",
            endpoint: None,
            fips: false,
            dual_stack: false,
            token: true,
            credentials_expiry: None,
            now: T0,
            requested: 3600,
        }
    }
}

fn presigner(setup: &Setup) -> Presigner {
    let credentials = Credentials::new(
        ACCESS_KEY,
        SECRET,
        setup.token.then(|| TOKEN.to_owned()),
        setup.credentials_expiry.map(|s| UNIX_EPOCH + Duration::from_secs(s)),
        "test",
    );
    let mut vars = vec![("AWS_ENDPOINT_URL_SNS".to_owned(), "http://127.0.0.1:9".to_owned())];
    if let Some(endpoint) = &setup.endpoint {
        vars.push(("AWS_ENDPOINT_URL_S3".to_owned(), endpoint.clone()));
    }
    let sdk = SdkConfig::builder()
        .region(Region::new(setup.function_region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .service_config(ServiceEnv(vars))
        .use_fips(setup.fips)
        .use_dual_stack(setup.dual_stack)
        .time_source(StaticTimeSource::from_secs(setup.now))
        .build();
    let config = Config {
        presign_expires: Some(Duration::from_secs(setup.requested)),
        ..Config::default()
    };
    Presigner::new(&config, &sdk).unwrap()
}

fn s3_file(bucket: &str, key: &str, bucket_region: Option<&str>) -> File {
    File {
        user: UserKind::Anonymous,
        file_group: 0,
        format: Some("PDF".into()),
        sheets: Vec::new(),
        s3_uri: Some(format!("s3://{bucket}/{key}")),
        bucket: Some(bucket.into()),
        key: Some(key.into()),
        bucket_region: bucket_region.map(str::to_owned),
        errors: Vec::new(),
        download_url: None,
        download_url_expires_at: None,
    }
}

fn output(files: Vec<File>) -> Output {
    Output {
        job: JobIdentity {
            aws_account_id: "111122223333".into(),
            dashboard_id: "sales-dashboard".into(),
            snapshot_job_id: "job-1".into(),
            arn: "arn:aws:quicksight:us-east-1:111122223333:dashboard/sales-dashboard/snapshot-job/job-1".into(),
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
        summary: "1 file".into(),
        notification: None,
    }
}

/// The link and expiry the presigner gives one file.
async fn link(setup: &Setup, file: File) -> (Option<String>, Option<String>) {
    let mut out = output(vec![file]);
    presigner(setup).presign(&mut out).await.unwrap();
    let file = out.files.remove(0);
    (file.download_url, file.download_url_expires_at)
}

fn rfc3339(seconds: u64) -> String {
    use aws_sdk_quicksight::primitives::{DateTime, DateTimeFormat};
    DateTime::from_secs(i64::try_from(seconds).unwrap())
        .fmt(DateTimeFormat::DateTime)
        .unwrap()
}

#[tokio::test]
async fn a_link_downloads_the_object_from_a_local_s3() {
    let moto = Moto::start().await;
    let client = LoopbackClient::new();
    let bucket = "reports.example-bucket";
    let key = "snapshots/2025 Q4/Ünï~code+report (1).pdf";
    let encoded_key = "snapshots/2025%20Q4/%C3%9Cn%C3%AF~code%2Breport%20%281%29.pdf";
    let body: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..=255u8).cycle().take(70_000))
        .collect();

    let created = client
        .send(
            Method::PUT,
            &format!("{}/{bucket}", moto.endpoint),
            &[],
            "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>",
        )
        .await
        .unwrap();
    assert_eq!(created.status, 200, "{:?}", created.body);
    let put = client
        .send(
            Method::PUT,
            &format!("{}/{bucket}/{encoded_key}", moto.endpoint),
            &[],
            body.clone(),
        )
        .await
        .unwrap();
    assert_eq!(put.status, 200, "{:?}", put.body);

    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let setup = Setup {
        endpoint: Some(format!("{}/", moto.endpoint)),
        credentials_expiry: Some(now + 7200),
        now,
        requested: 86_400,
        ..Setup::default()
    };
    let (url, expires_at) = link(&setup, s3_file(bucket, key, Some("eu-west-1"))).await;
    let url = url.unwrap();
    assert_eq!(
        expires_at.as_deref(),
        Some(rfc3339(now + 7200).as_str()),
        "capped by the credentials"
    );
    let prefix = format!(
        "{}/{bucket}/{encoded_key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={ACCESS_KEY}%2F",
        moto.endpoint
    );
    assert!(url.starts_with(&prefix), "{url}");
    assert!(url.contains("%2Feu-west-1%2Fs3%2Faws4_request&"), "{url}");
    assert!(
        url.contains("&X-Amz-Expires=7200&X-Amz-SignedHeaders=host&X-Amz-Security-Token="),
        "{url}"
    );

    let downloaded = client.get(&url).await.unwrap();
    assert_eq!(downloaded.status, 200);
    assert_eq!(downloaded.body.as_ref(), body.as_slice());

    let missing = link(&setup, s3_file(bucket, "snapshots/absent.pdf", Some("eu-west-1")))
        .await
        .0
        .unwrap();
    assert_eq!(
        client.get(&missing).await.unwrap().status,
        404,
        "the link names exactly one object"
    );
}

/// botocore's presigner at a frozen time (`presign` cases), and a verifier that does what S3 does
/// with a presigned GET (`verify` cases): refuse it after `X-Amz-Date` + `X-Amz-Expires`, else
/// recompute the signature from the link's own query and compare.
const BOTOCORE: &str = r#"
import datetime, hmac, json, sys
from urllib.parse import parse_qsl, unquote, urlsplit
import boto3, botocore.auth
from botocore.config import Config

FORMAT = "%Y-%m-%dT%H:%M:%SZ"

def presign(endpoint, region, bucket, key, access_key, secret, token, at, expires, fips=False, dual_stack=False):
    botocore.auth.get_current_datetime = lambda remove_tzinfo=True: at
    session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret,
                                    aws_session_token=token, region_name=region)
    # Path style, and us-east-1's regional host (s3.us-east-1.amazonaws.com, as the Rust SDK uses) rather
    # than botocore's legacy global s3.amazonaws.com.
    config = Config(signature_version="s3v4", s3={"addressing_style": "path", "us_east_1_regional_endpoint": "regional"},
                    use_fips_endpoint=fips, use_dualstack_endpoint=dual_stack)
    client = session.client("s3", endpoint_url=endpoint, config=config)
    return client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires)

def verify(url, access_key, secret, token, now):
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True))
    signed_at = datetime.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    expires = int(query["X-Amz-Expires"])
    if not 1 <= expires <= 604800:
        return "invalid expires"
    if datetime.datetime.strptime(now, FORMAT) > signed_at + datetime.timedelta(seconds=expires):
        return "expired"
    key_id, _, region, service, _ = query["X-Amz-Credential"].split("/")
    if key_id != access_key or service != "s3" or query.get("X-Amz-Security-Token") != token:
        return "wrong credentials"
    bucket, _, key = unquote(parts.path[1:]).partition("/")
    reference = presign(f"{parts.scheme}://{parts.netloc}", region, bucket, key, access_key, secret, token,
                        signed_at, expires)
    expected = dict(parse_qsl(urlsplit(reference).query))["X-Amz-Signature"]
    return "accepted" if hmac.compare_digest(expected, query["X-Amz-Signature"]) else "signature mismatch"

cases = json.load(sys.stdin)
for case in cases.get("presign", []):
    case["at"] = datetime.datetime.strptime(case["at"], FORMAT)
json.dump({
    "presign": [presign(**case) for case in cases.get("presign", [])],
    "verify": [verify(**case) for case in cases.get("verify", [])],
}, sys.stdout)
"#;

fn botocore(cases: &Value) -> Value {
    use std::io::Write;
    let python = venv_tool("python", "VENV_PYTHON");
    let mut child = loopback_env(&mut Command::new(&python))
        .args(["-c", BOTOCORE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.to_string().as_bytes())
        .unwrap();
    let done = child.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "botocore script failed: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    serde_json::from_slice(&done.stdout).unwrap()
}

struct Case {
    setup: Setup,
    bucket: &'static str,
    key: &'static str,
    bucket_region: Option<&'static str>,
    /// The region and lifetime botocore is asked for (what the presigner should have chosen).
    region: &'static str,
    expires: u64,
}

#[tokio::test]
async fn links_match_botocore_byte_for_byte() {
    let odd_key = "a/./b/../c%d?e#f=&g+h i/Ünï~.csv";
    let cases = [
        Case {
            setup: Setup {
                endpoint: Some("http://127.0.0.1:4566".into()),
                ..Setup::default()
            },
            bucket: "reports.example-bucket",
            key: "snapshots/2025 Q4/Ünï~code+report (1).pdf",
            bucket_region: Some("eu-west-1"),
            region: "eu-west-1",
            expires: 3600,
        },
        Case {
            setup: Setup {
                token: false,
                requested: 10_000_000,
                ..Setup::default()
            },
            bucket: "plain-bucket",
            key: "a/b/c.csv",
            bucket_region: Some("us-east-1"),
            region: "us-east-1",
            expires: 604_800,
        },
        Case {
            setup: Setup {
                function_region: "cn-north-1",
                requested: 60,
                ..Setup::default()
            },
            bucket: "b",
            key: odd_key,
            bucket_region: None,
            region: "cn-north-1",
            expires: 60,
        },
        Case {
            setup: Setup {
                fips: true,
                dual_stack: true,
                ..Setup::default()
            },
            bucket: "gov.reports",
            key: "x.xlsx",
            bucket_region: Some("us-gov-west-1"),
            region: "us-gov-west-1",
            expires: 3600,
        },
        Case {
            setup: Setup {
                credentials_expiry: Some(T0 + 900),
                requested: 43_200,
                ..Setup::default()
            },
            bucket: "reports",
            key: "short/lived.pdf",
            bucket_region: Some("ap-southeast-2"),
            region: "ap-southeast-2",
            expires: 900,
        },
    ];
    let mut ours = Vec::new();
    let mut requests = Vec::new();
    for case in &cases {
        let (url, expires_at) = link(&case.setup, s3_file(case.bucket, case.key, case.bucket_region)).await;
        assert_eq!(expires_at, Some(rfc3339(T0 + case.expires)));
        ours.push(url.unwrap());
        requests.push(json!({
            "endpoint": case.setup.endpoint,
            "region": case.region,
            "bucket": case.bucket,
            "key": case.key,
            "access_key": ACCESS_KEY,
            "secret": SECRET,
            "token": case.setup.token.then_some(TOKEN),
            "at": rfc3339(T0),
            "expires": case.expires,
            "fips": case.setup.fips,
            "dual_stack": case.setup.dual_stack,
        }));
    }
    let reference = botocore(&json!({ "presign": requests }));
    let reference: Vec<String> = serde_json::from_value(reference["presign"].clone()).unwrap();
    assert_eq!(ours, reference);
    assert!(ours[3].starts_with("https://s3-fips.dualstack.us-gov-west-1.amazonaws.com/gov.reports/x.xlsx?"));
}

#[tokio::test]
async fn a_tampered_or_expired_link_is_refused() {
    let setup = Setup {
        requested: 900,
        ..Setup::default()
    };
    let (url, expires_at) = link(
        &setup,
        s3_file("reports.example-bucket", "q4/report.pdf", Some("eu-west-1")),
    )
    .await;
    let url = url.unwrap();
    assert_eq!(expires_at.as_deref(), Some(rfc3339(T0 + 900).as_str()));

    let last = url.chars().last().unwrap();
    let tampered_signature = format!("{}{}", &url[..url.len() - 1], if last == '0' { '1' } else { '0' });
    let longer = url.replace("&X-Amz-Expires=900&", "&X-Amz-Expires=3600&");
    let other_key = url.replace("/q4/report.pdf?", "/q4/other.pdf?");
    assert_ne!(longer, url);
    assert_ne!(other_key, url);
    let check = |url: &str, now: u64| json!({"url": url, "access_key": ACCESS_KEY, "secret": SECRET, "token": TOKEN, "now": rfc3339(now)});
    let verdicts = botocore(&json!({ "verify": [
        check(&url, T0),
        check(&url, T0 + 900),
        check(&url, T0 + 901),
        check(&tampered_signature, T0),
        check(&longer, T0 + 1000),
        check(&other_key, T0),
    ]}));
    assert_eq!(
        verdicts["verify"],
        json!([
            "accepted",
            "accepted",
            "expired",
            "signature mismatch",
            "signature mismatch",
            "signature mismatch"
        ])
    );
}
