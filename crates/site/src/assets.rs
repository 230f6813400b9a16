//! The embedded website: every file of `assets/` is compiled into the binary, so the image
//! needs no files and a request can only ever reach an entry of this table (there is no
//! filesystem access, hence no path traversal).
//!
//! Everything a response needs is computed once, at startup: the content type from the
//! extension, a strong `ETag` from a hash of the bytes, a gzip copy of each text asset
//! (with its own `ETag`, since it is another representation), and `Last-Modified`, the
//! time the server started.

use std::time::SystemTime;

/// A file of `assets/`: its name and content, as compiled into the binary.
struct Source {
    name: &'static str,
    bytes: &'static [u8],
}

/// The served files, in the order of the site map.
const SOURCES: &[Source] = &[
    Source {
        name: "index.html",
        bytes: include_bytes!("../assets/index.html"),
    },
    Source {
        name: "style.css",
        bytes: include_bytes!("../assets/style.css"),
    },
    Source {
        name: "architecture.svg",
        bytes: include_bytes!("../assets/architecture.svg"),
    },
    Source {
        name: "favicon.svg",
        bytes: include_bytes!("../assets/favicon.svg"),
    },
    Source {
        name: "robots.txt",
        bytes: include_bytes!("../assets/robots.txt"),
    },
];

/// The page sent with every 404.
const NOT_FOUND: &[u8] = include_bytes!("../assets/404.html");

/// One representation of an asset: its bytes and the strong entity tag that names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The bytes sent as the response content.
    pub body: Vec<u8>,
    /// The strong entity tag, quotes included (`"1f2e3d4c5b6a7988"`).
    pub etag: String,
}

/// A servable file: its URL path, headers and representations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The URL path it answers to, for example `/style.css`.
    pub path: String,
    /// The `Content-Type` header value.
    pub content_type: &'static str,
    /// The `Cache-Control` header value.
    pub cache_control: &'static str,
    /// The `Content-Security-Policy` header value, for documents that can be opened.
    pub content_security_policy: Option<&'static str>,
    /// The uncompressed content.
    pub identity: Variant,
    /// The gzip-compressed content, for text types when compression makes it smaller.
    pub gzip: Option<Variant>,
}

/// Policy of the HTML pages: no scripts, no frames, styles and images from this site only.
const HTML_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                           base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// Policy of an SVG opened on its own: it may style itself, and nothing else.
const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'";

impl Asset {
    /// Builds the asset of `name` with `bytes`, precomputing its tags and gzip copy.
    pub fn new(path: &str, name: &str, bytes: &[u8]) -> Self {
        let content_type = content_type(name);
        let html = content_type.starts_with("text/html");
        let content_security_policy = if html {
            Some(HTML_POLICY)
        } else if content_type == "image/svg+xml" {
            Some(SVG_POLICY)
        } else {
            None
        };
        let gzip = if is_compressible(content_type) {
            let compressed = gzip(bytes);
            (compressed.len() < bytes.len()).then(|| Variant {
                etag: format!("\"{:016x}-gz\"", fnv1a(bytes)),
                body: compressed,
            })
        } else {
            None
        };
        Self {
            path: path.to_owned(),
            content_type,
            cache_control: if html {
                "public, max-age=300"
            } else {
                "public, max-age=86400"
            },
            content_security_policy,
            identity: Variant {
                body: bytes.to_vec(),
                etag: format!("\"{:016x}\"", fnv1a(bytes)),
            },
            gzip,
        }
    }

    /// The representation to send: gzip when the client accepts it and one exists.
    pub fn variant(&self, accepts_gzip: bool) -> (&Variant, bool) {
        match &self.gzip {
            Some(gzip) if accepts_gzip => (gzip, true),
            _ => (&self.identity, false),
        }
    }
}

/// All the assets of the site, ready to serve.
#[derive(Debug, Clone)]
pub struct Site {
    assets: Vec<Asset>,
    not_found: Asset,
    last_modified: SystemTime,
}

impl Site {
    /// The embedded site, with `last_modified` as the modification time of every asset.
    pub fn new(last_modified: SystemTime) -> Self {
        let assets = SOURCES
            .iter()
            .map(|source| Asset::new(&format!("/{}", source.name), source.name, source.bytes))
            .collect();
        let mut not_found = Asset::new("/404.html", "404.html", NOT_FOUND);
        not_found.cache_control = "no-cache";
        Self {
            assets,
            not_found,
            last_modified,
        }
    }

    /// The embedded site, last modified now (to the second).
    pub fn at_startup() -> Self {
        let now = crate::date::unix_seconds(SystemTime::now());
        Self::new(crate::date::from_unix_seconds(now))
    }

    /// The asset at the (percent-decoded) URL `path`; `/` is `index.html`.
    pub fn lookup(&self, path: &str) -> Option<&Asset> {
        let path = if path == "/" { "/index.html" } else { path };
        self.assets.iter().find(|asset| asset.path == path)
    }

    /// The page sent with a 404.
    pub fn not_found(&self) -> &Asset {
        &self.not_found
    }

    /// Every asset, for listing and tests.
    pub fn assets(&self) -> &[Asset] {
        &self.assets
    }

    /// The `Last-Modified` time of every asset.
    pub fn last_modified(&self) -> SystemTime {
        self.last_modified
    }
}

/// The `Content-Type` of a file name, from its extension.
pub fn content_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map_or("", |(_, ext)| ext);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Whether a type is text, so worth compressing (images other than SVG already are).
fn is_compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("image/svg+xml")
        || content_type.starts_with("application/json")
}

/// 64-bit FNV-1a: a fast, stable hash, enough to tell two versions of a file apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `bytes` as a gzip member (RFC 1952): header, raw deflate at the best level, CRC-32 and
/// length.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=2 (best compression) OS=255 (unknown)
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255];
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(bytes, 10));
    out.extend_from_slice(&crc32(bytes).to_le_bytes());
    // ISIZE is the length modulo 2^32 by definition.
    #[allow(clippy::cast_possible_truncation)]
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) as gzip's trailer needs it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn gzip_round_trips() {
        let text = b"<p>Inception</p>".repeat(50);
        let packed = gzip(&text);
        assert_eq!(&packed[..3], &[0x1f, 0x8b, 8]);
        let body = &packed[10..packed.len() - 8];
        let unpacked = miniz_oxide::inflate::decompress_to_vec(body).expect("valid deflate");
        assert_eq!(unpacked, text);
        let trailer = &packed[packed.len() - 8..];
        assert_eq!(trailer[..4], crc32(&text).to_le_bytes());
        assert_eq!(trailer[4..], 800u32.to_le_bytes());
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("a.SVG"), "image/svg+xml");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn root_is_the_index_and_unknown_paths_are_absent() {
        let site = Site::at_startup();
        assert_eq!(
            site.lookup("/").map(|a| a.path.as_str()),
            Some("/index.html")
        );
        assert!(site.lookup("/style.css").is_some());
        assert!(site.lookup("/../../etc/passwd").is_none());
        assert!(site.lookup("style.css").is_none());
        assert!(site.lookup("/404.html").is_none());
    }

    #[test]
    fn text_assets_have_a_smaller_gzip_variant_with_its_own_tag() {
        let site = Site::at_startup();
        for path in ["/index.html", "/style.css", "/architecture.svg"] {
            let asset = site.lookup(path).expect(path);
            let gzip = asset.gzip.as_ref().expect(path);
            assert!(gzip.body.len() < asset.identity.body.len());
            assert_ne!(gzip.etag, asset.identity.etag);
            assert!(asset.identity.etag.starts_with('"') && asset.identity.etag.ends_with('"'));
        }
    }

    #[test]
    fn html_is_cached_briefly_and_other_assets_for_a_day() {
        let site = Site::at_startup();
        for asset in site.assets() {
            let expected = if asset.content_type.starts_with("text/html") {
                "public, max-age=300"
            } else {
                "public, max-age=86400"
            };
            assert_eq!(asset.cache_control, expected, "{}", asset.path);
        }
    }
}
