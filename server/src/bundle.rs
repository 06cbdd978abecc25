//! The browser bundle (wasm and its chunks, scripts, stylesheet) served compressed once, not per request:
//! compressing the wasm (1.7 MB in one piece, before it was split into chunks) took half a second of a core
//! at the brotli quality a server can afford on the fly (4: 545 KB), and six seconds at the best one (11:
//! 427 KB, SPEC §8 wants ≤ 400 KB). At start the server writes `.br` and `.gz` copies beside each file
//! that has none newer than itself; the file service then answers with the copy the browser accepts, and
//! until they are written, with the file as before.
//! A bundle rebuilt under a running server is served from its old copies until the server restarts
//! (cargo-leptos restarts it; a deployment replaces server and bundle together).

use anyhow::{Context, Result};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The files compressed ahead: what cargo-leptos puts in the package directory.
const EXTENSIONS: [&str; 3] = ["wasm", "js", "css"];

type Encode = fn(&[u8], &mut dyn Write) -> std::io::Result<()>;

/// The copies written, by the suffix they are served under.
const ENCODINGS: [(&str, Encode); 2] = [("br", brotli), ("gz", gzip)];

/// Writes the missing or stale compressed copies of the bundle in `pkg_dir`; answers the copies written.
pub fn compress(pkg_dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let entries = fs::read_dir(pkg_dir).with_context(|| format!("reading {}", pkg_dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if !path.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.contains(&e)) {
            continue;
        }
        let modified = fs::metadata(&path)?.modified()?;
        let stale: Vec<(&str, Encode)> = ENCODINGS
            .into_iter()
            .filter(|(suffix, _)| {
                !fs::metadata(with_suffix(&path, suffix)).and_then(|m| m.modified()).is_ok_and(|at| at >= modified)
            })
            .collect();
        if stale.is_empty() {
            continue;
        }
        let data = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        for (suffix, encode) in stale {
            let copy = with_suffix(&path, suffix);
            // written aside and renamed, so that a request never reads half a copy
            let partial = with_suffix(&path, &format!("{suffix}.partial"));
            let mut out = BufWriter::new(File::create(&partial)?);
            encode(&data, &mut out)?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            fs::rename(&partial, &copy)?;
            written.push(copy);
        }
    }
    Ok(written)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn brotli(mut data: &[u8], mut out: &mut dyn Write) -> std::io::Result<()> {
    // quality 11, window 2^22 (4 MB: the whole wasm)
    let params = ::brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    ::brotli::BrotliCompress(&mut data, &mut out, &params).map(|_| ())
}

fn gzip(data: &[u8], out: &mut dyn Write) -> std::io::Result<()> {
    let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::best());
    encoder.write_all(data)?;
    encoder.finish().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use leptos::prelude::LeptosOptions;
    use sqlx::PgPool;
    use std::io::Read;
    use std::time::{Duration, SystemTime};

    /// A bundle-like file: compressible, but not trivially.
    fn wasm_like(seed: u8) -> Vec<u8> {
        (0..200_000u32).map(|i| ((i % 251) as u8).wrapping_mul(seed) ^ (i / 997) as u8).collect()
    }

    async fn fetch(base: &str, accept: Option<&str>) -> (Option<String>, Vec<u8>) {
        let mut request = reqwest::Client::new().get(format!("{base}/pkg/customer-view.wasm"));
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        let response = request.send().await.unwrap();
        assert!(response.status().is_success());
        assert_eq!(response.headers()["vary"], "accept-encoding", "caches keep one answer per encoding");
        let encoding = response.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_string());
        (encoding, response.bytes().await.unwrap().to_vec())
    }

    #[sqlx::test(migrations = "../migrations")]
    async fn the_bundle_is_served_compressed_ahead_and_kept_current(pool: PgPool) {
        let site = std::env::temp_dir().join(format!("cv-bundle-{}", std::process::id()));
        let pkg = site.join("pkg");
        fs::create_dir_all(&pkg).unwrap();
        let wasm = pkg.join("customer-view.wasm");
        fs::write(&wasm, wasm_like(7)).unwrap();

        let written = compress(&pkg).unwrap();
        assert_eq!(written.len(), 2, "a brotli and a gzip copy: {written:?}");
        assert!(compress(&pkg).unwrap().is_empty(), "nothing is compressed twice");

        let options = LeptosOptions::builder()
            .output_name("customer-view")
            .site_root(site.to_str().unwrap())
            .site_pkg_dir("pkg")
            .build();
        let base = crate::api::tests::serve_with(pool, options).await;
        let (encoding, body) = fetch(&base, Some("br, gzip")).await;
        assert_eq!(encoding.as_deref(), Some("br"));
        assert_eq!(body, fs::read(pkg.join("customer-view.wasm.br")).unwrap(), "the copy itself, not compressed again");
        let mut unpacked = Vec::new();
        ::brotli::Decompressor::new(&body[..], 4096).read_to_end(&mut unpacked).unwrap();
        assert_eq!(unpacked, wasm_like(7));
        let (encoding, body) = fetch(&base, Some("gzip")).await;
        assert_eq!(encoding.as_deref(), Some("gzip"));
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut unpacked).unwrap();
        assert_eq!(unpacked, wasm_like(7));
        assert_eq!(fetch(&base, None).await, (None, wasm_like(7)), "as it is for a browser that takes neither");

        // a new build: its copies are older than the file, so they are written again
        fs::write(&wasm, wasm_like(11)).unwrap();
        for suffix in ["br", "gz"] {
            let copy = File::options().write(true).open(with_suffix(&wasm, suffix)).unwrap();
            copy.set_modified(SystemTime::now() - Duration::from_secs(3600)).unwrap();
        }
        assert_eq!(compress(&pkg).unwrap().len(), 2);
        let (encoding, body) = fetch(&base, Some("br")).await;
        assert_eq!(encoding.as_deref(), Some("br"));
        let mut unpacked = Vec::new();
        ::brotli::Decompressor::new(&body[..], 4096).read_to_end(&mut unpacked).unwrap();
        assert_eq!(unpacked, wasm_like(11));
        fs::remove_dir_all(&site).unwrap();
    }
}
