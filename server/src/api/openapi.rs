//! The OpenAPI document of API v1 (`GET /api/v1/openapi.json`), generated from the Rust types the API
//! reads and answers with and from the annotations on its routes. It holds no data of any workspace,
//! so it is served without a key, like the sign-in page, for tools and people to read.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Customer View API",
        version = "1",
        description = "Send orders, messages and customers from your channels; read customers back. \
                       Money is a decimal string, times are RFC 3339, a key belongs to one workspace."
    ),
    paths(
        super::ingest::create_order,
        super::ingest::order_batch,
        super::ingest::create_message,
        super::ingest::message_batch,
        super::ingest::create_customer,
        super::ingest::create_platform_order,
        super::orders::list,
        super::orders::detail,
        super::customers::list,
        super::customers::detail,
        super::merges::merge,
        super::merges::undo,
        super::duplicates::list,
        super::duplicates::dismiss,
        super::exports::start,
        super::exports::get,
        super::exports::download,
        super::exports::cancel,
        super::bulk::start,
        super::bulk::get,
        super::bulk::undo,
        super::imports::start,
        super::imports::get,
    ),
    // the answers of the ingestion routes are described by `IntoResponses` enums, whose schemas utoipa
    // does not collect on its own
    components(schemas(
        app::ingest::Ingested,
        app::ingest::Outcome,
        super::ingest::BatchResult,
        super::ingest::ItemResult,
        super::ingest::ItemOutcome,
        super::error::ErrorResponse,
        super::error::ErrorBody,
    )),
    modifiers(&ApiKey),
    security(("api_key" = [])),
)]
struct ApiDoc;

/// `Authorization: Bearer <api key>`.
struct ApiKey;

impl Modify for ApiKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "An API key of the workspace, made in Settings → API keys or with `server api-key create`",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("api_key", SecurityScheme::Http(scheme));
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
