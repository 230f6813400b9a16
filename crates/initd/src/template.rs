//! Configuration files are rendered from templates shipped in the image.
//!
//! Undefined variables are errors (strict mode) that name the variable and the template, so a
//! forgotten setting never becomes an empty string in nginx.conf.

use anyhow::{Context, Result};
use minijinja::{Environment, UndefinedBehavior, Value};
use std::path::Path;

/// Renders `source` with `context` into a string.
pub fn render_str(name: &str, source: &str, context: Value) -> Result<String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.add_template(name, source)
        .with_context(|| format!("parsing template {name}"))?;
    let template = env.get_template(name)?;
    template
        .render(context)
        .map_err(|err| anyhow::anyhow!("rendering template {name}: {err:#}"))
}

/// Renders the template file `src` into `dest` (written atomically, with `mode`).
pub fn render_file(src: &Path, dest: &Path, context: Value, mode: u32) -> Result<()> {
    let source = std::fs::read_to_string(src)
        .with_context(|| format!("reading template {}", src.display()))?;
    let text = render_str(&src.display().to_string(), &source, context)?;
    crate::files::write_atomic(dest, text.as_bytes(), mode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn renders_values() {
        let out = render_str(
            "t",
            "server_name {{ domain }};\n",
            context! { domain => "a.42.fr" },
        );
        assert_eq!(out.expect("renders"), "server_name a.42.fr;\n");
    }

    #[test]
    fn missing_variable_is_an_error_naming_it() {
        let err = render_str("nginx.conf", "x {{ domian }}", context! { domain => "a" })
            .expect_err("strict mode");
        let text = format!("{err:#}");
        assert!(text.contains("nginx.conf"), "{text}");
        assert!(text.contains("undefined"), "{text}");
    }
}
