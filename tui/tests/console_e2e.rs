//! End to end: the real `nexus-tui` in a pseudo-terminal against the real `nexus-api`. An
//! admin signs in, an order booked over HTTP by a salesperson appears on the console live
//! (WebSocket, no polling), and the admin approves its credit through the console; the API
//! then reports the new status.

mod pty;

use pty::{Console, command, start_api, tui_bin};
use serde_json::{Value, json};

/// Ctrl-C: the console exits cleanly.
fn quit(mut c: Console) {
    c.send("\x03");
    assert!(c.wait_exit(), "the console exits cleanly on Ctrl-C");
}

/// Sends a request and reads its JSON answer.
async fn call(rb: reqwest::RequestBuilder) -> Value {
    rb.send().await.unwrap().json().await.unwrap()
}

async fn token(http: &reqwest::Client, base: &str, user: &str, password: &str) -> String {
    let v = call(
        http.post(format!("{base}/api/login"))
            .json(&json!({ "email": user, "password": password })),
    )
    .await;
    v["token"].as_str().expect("login token").to_string()
}

/// The console at `base` on its Jobs view, `width` columns wide, signed in as SALES-001 (job
/// events go to the user who started the job); and that user's token for the uploads.
async fn jobs_view_of_sales(base: &str, width: u16) -> (Console, String) {
    let mut c = Console::spawn(command(&tui_bin(), &["--api", base]), 30, width);
    c.wait_for("Sign in");
    c.send("SALES-001\tsales123\r");
    c.wait_for("● live");
    c.send(":jobs\r");
    c.wait_for("NexusOMS · Jobs");
    let sales = token(&reqwest::Client::new(), base, "SALES-001", "sales123").await;
    (c, sales)
}

/// Uploads a bulk-order workbook as `token`'s user; the id of the job it queued.
async fn upload_bulk(base: &str, token: &str, workbook: &[u8], file_name: &str) -> String {
    use base64::Engine;
    let body = json!({
        "excelData": base64::engine::general_purpose::STANDARD.encode(workbook),
        "fileName": file_name,
    });
    let queued = call(
        reqwest::Client::new()
            .post(format!("{base}/api/orders/bulk"))
            .bearer_auth(token)
            .json(&body),
    )
    .await;
    queued["jobId"].as_str().expect("job id").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_sees_a_new_order_live_and_approves_its_credit() {
    let dir = tempfile::tempdir().unwrap();
    let api = start_api(dir.path());
    let base = api.base_url.clone();

    let mut c = Console::spawn(command(&tui_bin(), &["--api", &base]), 30, 120);
    c.wait_for("Sign in");
    c.send("admin@nexusoms.com\tadmin123\r");
    c.wait_for("NexusOMS · Dashboard");
    // Subscribed: from here on every order event reaches the console.
    c.wait_for("● live");
    c.send("o");
    c.wait_for("ORD-001");

    // A salesperson books an order over HTTP.
    let http = reqwest::Client::new();
    let sales = token(&http, &base, "SALES-001", "sales123").await;
    let created = call(
        http.post(format!("{base}/api/orders"))
            .bearer_auth(&sales)
            .json(&json!({
                "customerId": "CUST-001",
                "items": [{"productId": "PROD-001", "quantity": 10}],
                "remarks": "console e2e"
            })),
    )
    .await;
    let id = created["data"]["id"]
        .as_str()
        .expect("order id")
        .to_string();

    // It appears without any key pressed.
    c.wait_for(&id);

    // Find it, open it, approve its credit.
    c.send(&format!("/{id}\r"));
    c.wait_until("only the new order listed", |s| {
        s.contains(&id) && !s.contains("ORD-001 ")
    });
    c.send("\r");
    c.wait_for("Timeline");
    // The booking queued its credit insight; the open order shows it once stored (read
    // with the order, or reloaded on `credit:insight-ready`), marked as the rules' answer.
    c.wait_until("the stored insight", |s| {
        s.contains("Credit insight") && s.contains("rule-based")
    });
    c.send("t");
    c.wait_for("Approve credit");
    c.send("1");
    c.wait_for(&format!("Approve credit · {id}"));
    c.send("\r");
    c.wait_for("yes, send");
    c.send("y");
    c.wait_for(&format!("{id} is now Pending WH Selection"));

    // The API agrees.
    let admin = token(&http, &base, "admin@nexusoms.com", "admin123").await;
    let order = call(
        http.get(format!("{base}/api/orders/{id}"))
            .bearer_auth(&admin),
    )
    .await;
    let order = order.get("data").unwrap_or(&order);
    assert_eq!(order["status"], "Pending WH Selection", "{order}");
    let last = order["statusHistory"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        last["actorId"], "USER-001",
        "audited as the console's user: {last}"
    );

    quit(c);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_from_the_environment_signs_in_and_read_only_refuses_steps() {
    let dir = tempfile::tempdir().unwrap();
    let api = start_api(dir.path());
    let base = api.base_url.clone();
    let http = reqwest::Client::new();
    let t = token(&http, &base, "CREDIT-001", "credit123").await;

    let mut cmd = command(&tui_bin(), &["--api", &base, "--read-only"]);
    cmd.env("NEXUS_TOKEN", &t);
    let mut c = Console::spawn(cmd, 24, 80);
    c.wait_for("NexusOMS · Dashboard");
    c.wait_for("READ-ONLY");
    c.send("o");
    c.wait_for("ORD-");
    c.send("t");
    c.wait_for("Read-only console");
    c.send("q");
    c.send("q");
    assert!(c.wait_exit());

    // A bad token is refused with the reason, on the sign-in form.
    let mut cmd = command(&tui_bin(), &["--api", &base]);
    cmd.env("NEXUS_TOKEN", "not-a-token");
    let c = Console::spawn(cmd, 24, 80);
    c.wait_for("NEXUS_TOKEN was not accepted");
    quit(c);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_renews_its_token_and_says_why_a_login_failed() {
    use nexus_tui::api::ApiClient;
    use secrecy::{ExposeSecret, SecretString};
    let dir = tempfile::tempdir().unwrap();
    let api = start_api(dir.path());

    let client = ApiClient::new(&api.base_url).unwrap();
    let user = client
        .login("admin@nexusoms.com", &SecretString::from("admin123"))
        .await
        .unwrap();
    assert_eq!(user.id, "USER-001");
    assert!(user.can("approve_credit"));
    let first = client.token().unwrap();
    let wait = client.renew_in().expect("a signed-in session can renew");
    assert!((10..3600).contains(&wait), "{wait}");
    client.renew().await.unwrap();
    let second = client.token().unwrap();
    assert_ne!(first.expose_secret(), second.expose_secret());
    assert_eq!(client.me().await.unwrap().id, "USER-001");

    let err = ApiClient::new(&api.base_url)
        .unwrap()
        .login("admin@nexusoms.com", &SecretString::from("wrong"))
        .await
        .unwrap_err();
    assert!(err.0.contains("INVALID_CREDENTIALS"), "{}", err.0);
    let err = ApiClient::new("http://127.0.0.1:9")
        .unwrap()
        .me()
        .await
        .unwrap_err();
    assert!(err.0.contains("cannot reach the API"), "{}", err.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pack_step_built_from_the_allocation_is_accepted_by_the_api() {
    use nexus_tui::api::ApiClient;
    use nexus_tui::steps::{StepForm, offered};
    use secrecy::SecretString;
    let dir = tempfile::tempdir().unwrap();
    let api = start_api(dir.path());

    let client = ApiClient::new(&api.base_url).unwrap();
    client
        .login("WHM-001", &SecretString::from("whmanager123"))
        .await
        .unwrap();
    // A demo order waiting for packing, with its allocation.
    let (orders, _) = client
        .orders(&nexus_tui::app::OrderQuery {
            status: Some("Pending Packing".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let id = orders.first().expect("a demo order in packing").id.clone();
    let detail = client.order(&id).await.unwrap();
    // The server lists the pack for a WH manager; the console offers what it lists.
    let steps = offered(
        detail
            .row
            .steps
            .as_deref()
            .expect("the server lists the steps"),
    );
    let pack = steps
        .iter()
        .find(|o| o.step.step == "pack")
        .unwrap_or_else(|| panic!("a WH manager may pack: {steps:?}"))
        .clone();
    assert_eq!(pack.label(), "Pack as allocated");

    let form = StepForm::for_order(Some(&detail), &id, pack.clone()).unwrap();
    let body = form.body().unwrap();
    let status = client.step(&pack.step.method, &pack.step.path, &body).await;
    assert_eq!(status.as_deref(), Ok("Pending Quality Control"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_job_shows_live_with_its_report_link() {
    use nexus_tests::workbook::{Line, bulk_orders};
    let dir = tempfile::tempdir().unwrap();
    let api = start_api(dir.path());
    let (mut c, sales) = jobs_view_of_sales(&api.base_url, 120).await;

    let file = bulk_orders(&[
        Line::new("CUST-001", "SKU-001", "2").order_ref("A"),
        Line::new("CUST-404", "SKU-001", "1").order_ref("B"),
    ]);
    let job_id = upload_bulk(&api.base_url, &sales, &file, "console.xlsx").await;

    // The job finishes on screen, with a report (the rejected row), without a key pressed;
    // the order it created queued a credit insight job, listed above it (newest first).
    c.wait_until(
        "the finished job with its report and the insight job",
        |s| s.contains("report import finished") && s.contains("credit_insight"),
    );
    c.send("\x1b[B");
    c.send("d");
    c.wait_for(&format!("Report link {job_id}: http"));
    // A succeeded job has nothing to retry; the console says so instead of calling.
    c.send("r");
    c.wait_for("nothing to retry");
    quit(c);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_job_shows_its_error_and_is_retried_from_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let api = start_api(dir.path());
    let (mut c, sales) = jobs_view_of_sales(&api.base_url, 140).await;

    // A workbook without the bulk-order sheet: the import fails for good.
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet()
        .write_string(0, 0, "Something else")
        .unwrap();
    let file = wb.save_to_buffer().unwrap();
    let job_id = upload_bulk(&api.base_url, &sales, &file, "wrong.xlsx").await;

    c.wait_until("the failed job with its error", |s| {
        s.contains("failed") && s.to_lowercase().contains("sheet")
    });
    c.send("r");
    c.wait_for(&format!("Retry job {job_id}?"));
    c.send("y");
    // The status in the message is the API's answer to POST /api/jobs/{id}/retry.
    c.wait_for(&format!("Retry {job_id}: queued"));

    quit(c);
}
