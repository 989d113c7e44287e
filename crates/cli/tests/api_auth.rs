//! End-to-end over real HTTP: Judge0's authentication (`AUTHN_TOKEN`, several tokens, as a
//! header or a query or body parameter; 401 with an empty body) and authorization
//! (`AUTHZ_TOKEN` for the index, DELETE and `/authorize`; 403 with an empty body). Needs root.

mod common;

use common::{urlencode, Server};
use serde_json::json;

#[test]
fn authentication_and_authorization() {
    let server = Server::start(&[("AUTHN_TOKEN", " a  b "), ("AUTHZ_TOKEN", "admin root")]);
    let a: &[(&str, &str)] = &[("X-Auth-Token", "a")];
    let b: &[(&str, &str)] = &[("X-Auth-Token", "b")];

    // `/` is never checked.
    let r = server.get("/");
    assert_eq!((r.status, r.body.len()), (200, 0), "{r}");

    // Every other route: 401 with an empty body without a valid token.
    for headers in [
        &[][..],
        &[("X-Auth-Token", "c")][..],
        &[("X-Auth-Token", "a b")][..],
        &[("X-Auth-Token", "")][..],
        &[("X-Auth-User", "admin")][..],
    ] {
        for path in [
            "/languages",
            "/about",
            "/config_info",
            "/statuses",
            "/workers",
            "/openapi.json",
            "/submissions/batch?tokens=x",
        ] {
            let r = server.get_with(path, headers);
            assert_eq!(
                (r.status, r.body.len()),
                (401, 0),
                "{path} {headers:?}: {r}"
            );
        }
        let r = server.send("POST", "/authenticate", headers, b"");
        assert_eq!((r.status, r.body.len()), (401, 0), "{headers:?}: {r}");
        let r = server.post_json_with(
            "/submissions",
            headers,
            &json!({"source_code": "print(1)", "language_id": 71}),
        );
        assert_eq!((r.status, r.body.len()), (401, 0), "{headers:?}: {r}");
    }
    // Authentication runs before validation and before the route's own checks.
    let r = server.post_json("/submissions?fields=nope", &json!({}));
    assert_eq!((r.status, r.body.len()), (401, 0), "{r}");

    // Either token, as a header.
    for headers in [a, b] {
        let r = server.get_with("/languages", headers);
        assert_eq!(r.status, 200, "{headers:?}: {r}");
        let r = server.send("POST", "/authenticate", headers, b"");
        assert_eq!((r.status, r.body.len()), (200, 0), "{r}");
    }
    // As a query parameter (judge0api sends `POST /authenticate?X-Auth-Token=...`).
    let r = server.send("POST", "/authenticate?X-Auth-Token=b", &[], b"");
    assert_eq!((r.status, r.body.len()), (200, 0), "{r}");
    let r = server.get("/about?X-Auth-Token=a");
    assert_eq!(r.status, 200, "{r}");
    assert_eq!(r.json()["version"], "1.13.1");
    // As a JSON body parameter.
    let token = {
        let r = server.post_json(
            "/submissions?wait=true",
            &json!({"X-Auth-Token": "b", "source_code": "print('body auth')", "language_id": 71}),
        );
        assert_eq!(r.status, 201, "{r}");
        assert_eq!(r.json()["stdout"], "body auth\n");
        r.json()["token"].as_str().unwrap().to_string()
    };
    // As a form body parameter.
    let form = format!(
        "X-Auth-Token=a&language_id=71&source_code={}",
        urlencode("print(2)")
    );
    let r = server.send(
        "POST",
        "/submissions",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    );
    assert_eq!(r.status, 201, "{r}");
    // A wrong header is not rescued by a right parameter: the header is read first.
    let r = server.get_with("/about?X-Auth-Token=a", &[("X-Auth-Token", "wrong")]);
    assert_eq!(r.status, 401, "{r}");
    // The token routes.
    let r = server.get_with(&format!("/submissions/{token}"), a);
    assert_eq!(r.status, 200, "{r}");
    let r = server.get(&format!("/submissions/{token}"));
    assert_eq!((r.status, r.body.len()), (401, 0), "{r}");
    // An unknown route is a 404 whether authenticated or not (routing comes first in Rails).
    let r = server.get("/nope");
    assert_eq!((r.status, r.body.len()), (404, 0), "{r}");
    // A CORS preflight carries no credentials; it must still be answered.
    let r = server.send(
        "OPTIONS",
        "/submissions",
        &[
            ("Origin", "http://ide.example.com"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "x-auth-token,content-type",
            ),
        ],
        b"",
    );
    assert!(r.status == 200 || r.status == 204, "preflight: {r}");
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));

    // Authorization: the index, DELETE and /authorize need X-Auth-User too.
    let r = server.get_with("/submissions", a);
    assert_eq!((r.status, r.body.len()), (403, 0), "{r}");
    let r = server.get_with(
        "/submissions",
        &[("X-Auth-Token", "a"), ("X-Auth-User", "nobody")],
    );
    assert_eq!((r.status, r.body.len()), (403, 0), "{r}");
    for user in ["admin", "root"] {
        let r = server.get_with(
            "/submissions",
            &[("X-Auth-Token", "a"), ("X-Auth-User", user)],
        );
        assert_eq!(r.status, 200, "{user}: {r}");
        let list = r.json();
        assert!(list["submissions"].as_array().unwrap().len() >= 2, "{list}");
    }
    // Authentication comes first: a user without a token is 401.
    let r = server.get_with("/submissions", &[("X-Auth-User", "admin")]);
    assert_eq!((r.status, r.body.len()), (401, 0), "{r}");
    // X-Auth-User as a query parameter.
    let r = server.get_with("/submissions?X-Auth-User=root&per_page=1", b);
    assert_eq!(r.status, 200, "{r}");
    assert_eq!(r.json()["submissions"].as_array().unwrap().len(), 1);

    let user = &[("X-Auth-Token", "b"), ("X-Auth-User", "admin")][..];
    let r = server.send("POST", "/authorize", user, b"");
    assert_eq!((r.status, r.body.len()), (200, 0), "{r}");
    let r = server.send("POST", "/authorize", b, b"");
    assert_eq!((r.status, r.body.len()), (403, 0), "{r}");
    let r = server.send("POST", "/authorize", &[("X-Auth-User", "admin")], b"");
    assert_eq!((r.status, r.body.len()), (401, 0), "{r}");
    let r = server.send(
        "POST",
        "/authorize?X-Auth-Token=a&X-Auth-User=root",
        &[],
        b"",
    );
    assert_eq!((r.status, r.body.len()), (200, 0), "{r}");

    // DELETE: authorization first, then "delete not allowed" (it is off by default).
    let path = format!("/submissions/{token}");
    let r = server.delete_with(&path, a);
    assert_eq!((r.status, r.body.len()), (403, 0), "{r}");
    let r = server.delete_with(&path, user);
    assert_eq!(r.status, 400, "{r}");
    assert_eq!(r.json(), json!({"error": "delete not allowed"}));
    let r = server.get_with(&path, a);
    assert_eq!(r.status, 200, "the submission is still there: {r}");
}

#[test]
fn custom_auth_header_names() {
    let server = Server::start(&[
        ("AUTHN_HEADER", "X-Api-Key"),
        ("AUTHN_TOKEN", "k1"),
        ("AUTHZ_HEADER", "X-Admin"),
        ("AUTHZ_TOKEN", "boss"),
    ]);
    let r = server.get_with("/about", &[("X-Auth-Token", "k1")]);
    assert_eq!(
        (r.status, r.body.len()),
        (401, 0),
        "the default header no longer counts: {r}"
    );
    let r = server.get_with("/about", &[("X-Api-Key", "k1")]);
    assert_eq!(r.status, 200, "{r}");
    let r = server.get("/about?X-Api-Key=k1");
    assert_eq!(r.status, 200, "{r}");
    let r = server.get_with(
        "/submissions",
        &[("X-Api-Key", "k1"), ("X-Auth-User", "boss")],
    );
    assert_eq!((r.status, r.body.len()), (403, 0), "{r}");
    let r = server.get_with("/submissions", &[("X-Api-Key", "k1"), ("X-Admin", "boss")]);
    assert_eq!(r.status, 200, "{r}");
    assert_eq!(
        r.json()["meta"]["total_count"],
        0,
        "a fresh store has no submissions"
    );
}

#[test]
fn ip_lists_and_allowed_origins() {
    // Judge0 uses DISALLOW − ALLOW and ALLOW − DISALLOW: 127.0.0.1 in both lists cancels
    // out, which leaves an allow list without it, so loopback clients are refused.
    let server = Server::start(&[
        ("ALLOW_IP", "10.1.2.3 127.0.0.1"),
        ("DISALLOW_IP", "127.0.0.1"),
        ("ALLOW_ORIGIN", "http://good.example"),
    ]);
    for path in ["/languages", "/about", "/submissions/batch?tokens=x"] {
        let r = server.get(path);
        assert_eq!((r.status, r.body.len()), (403, 0), "{path}: {r}");
    }
    let r = server.post_json(
        "/submissions",
        &json!({"source_code": "print(1)", "language_id": 71}),
    );
    assert_eq!((r.status, r.body.len()), (403, 0), "{r}");
    // `/` is never checked.
    let r = server.get("/");
    assert_eq!(r.status, 200, "{r}");

    // CORS with an origin list: the listed origin is echoed, others get no grant.
    let preflight = |origin: &str| {
        server.send(
            "OPTIONS",
            "/submissions",
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "POST"),
            ],
            b"",
        )
    };
    let good = preflight("http://good.example");
    assert_eq!(
        good.header("access-control-allow-origin"),
        Some("http://good.example"),
        "{:?}",
        good.headers
    );
    let bad = preflight("http://evil.example");
    assert_eq!(
        bad.header("access-control-allow-origin"),
        None,
        "{:?}",
        bad.headers
    );
    let home = server.get_with("/", &[("Origin", "http://good.example")]);
    assert_eq!(
        home.header("access-control-allow-origin"),
        Some("http://good.example")
    );
}
