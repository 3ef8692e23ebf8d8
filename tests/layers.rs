//! The library's modules form one-way layers (docs/architecture.md, `src/lib.rs`): every
//! reference from one top-level module of `src/` to another (`crate::x`, `use crate::{x, y}`,
//! `$crate::x`, and names `lib.rs` re-exports) goes to a module of the same layer or one below,
//! and no references form a cycle. Comments are not references. The command line
//! (`src/bin/`) is a crate of its own, using the library's public interface only.
//!
//! Inside the layers, no FILES form a cycle either (`the_files_form_no_import_cycle`): a
//! reference is `crate::a::b`, `super::x`, `self::x` or a child module's name, resolved to the
//! file that holds it. A module's declarations and re-exports of its children (`mod x;`,
//! `pub use x::Y;`) are not uses of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, top to bottom. A module may use its own layer's modules (without a cycle) and
/// those of the layers below; never those above.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "the C ABI, the simulator and the fuzz targets' entry points",
        &["ffi", "sim", "fuzzing"],
    ),
    (
        "the client: Client, its builder, waits and fleets",
        &["client"],
    ),
    (
        "authentication: credentials, signing, IAM, profiles, temporary credentials",
        &["auth"],
    ),
    (
        "HTTP: transport, resolver, cancellation, retries, decoding",
        &["http"],
    ),
    (
        "models: the services' bodies, lenient decoders, vocabularies, lifecycle tables",
        &["model"],
    ),
    (
        "foundations",
        &[
            "error",
            "lifecycle",
            "id",
            "endpoint",
            "limits",
            "clock",
            "cancel",
            "bucket",
            "file",
        ],
    ),
];

/// A reference from one module to another, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Reference {
    from: String,
    to: String,
    at: String,
}

#[test]
fn the_modules_form_one_way_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let references = references(&src);
    let layer_of: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(n, (_, modules))| modules.iter().map(move |m| (*m, n)))
        .collect();

    let mut problems = Vec::new();
    for module in modules(&src) {
        if !layer_of.contains_key(module.as_str()) {
            problems.push(format!("src/{module}: not in any layer of tests/layers.rs"));
        }
    }
    for r in &references {
        if let (Some(from), Some(to)) = (layer_of.get(r.from.as_str()), layer_of.get(r.to.as_str()))
        {
            if to < from {
                problems.push(format!(
                    "{}: `{}` ({}) uses `{}` ({}), a layer above it",
                    r.at, r.from, LAYERS[*from].0, r.to, LAYERS[*to].0
                ));
            }
        }
    }
    if let Some(cycle) = find_cycle(&references) {
        problems.push(format!("import cycle: {}", describe_cycle(&cycle)));
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// The top-level modules: `src/x.rs` and `src/x/`, but not `lib.rs` or the command line.
fn modules(src: &Path) -> BTreeSet<String> {
    std::fs::read_dir(src)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_owned();
            match name.strip_suffix(".rs") {
                Some("lib") => None,
                Some(stem) => Some(stem.to_owned()),
                None if path.is_dir() && name != "bin" => Some(name),
                None => None,
            }
        })
        .collect()
}

/// Every reference from a top-level module to another, once per line.
fn references(src: &Path) -> BTreeSet<Reference> {
    let modules = modules(src);
    let reexported = reexports(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut found = BTreeSet::new();
    for module in &modules {
        for file in rust_files(&src.join(module), &src.join(format!("{module}.rs"))) {
            let text = std::fs::read_to_string(&file).unwrap();
            let shown = file.strip_prefix(src.parent().unwrap()).unwrap().display();
            for (n, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                for name in referenced_names(code) {
                    let to = if modules.contains(&name) {
                        Some(name)
                    } else {
                        reexported.get(&name).cloned()
                    };
                    if let Some(to) = to.filter(|to| to != module) {
                        found.insert(Reference {
                            from: module.clone(),
                            to,
                            at: format!("{shown}:{}", n + 1),
                        });
                    }
                }
            }
        }
    }
    found
}

/// `file` if it exists, and every `.rs` file under `dir`.
fn rust_files(dir: &Path, file: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    if file.is_file() {
        files.push(file.to_owned());
    }
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.map(|e| e.unwrap().path()) {
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The first path segment after each `crate::` in a line of code, and each of the names in a
/// `crate::{a, b::c}` group.
fn referenced_names(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        // `$crate::` is the crate too; `mycrate::` is not.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            let mut first = true;
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        first = true;
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 && first {
                    if c.is_alphanumeric() || c == '_' {
                        item.push(c);
                    } else if !item.is_empty() {
                        names.push(std::mem::take(&mut item));
                        first = false;
                    }
                }
            }
            if first && !item.is_empty() {
                names.push(item);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

/// The names `lib.rs` re-exports, and the module each comes from (`pub use x::{A, B};`).
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut statement = String::new();
    for line in lib.lines().map(str::trim) {
        if statement.is_empty() && !line.starts_with("pub use ") {
            continue;
        }
        statement.push_str(line);
        statement.push(' ');
        if !line.ends_with(';') {
            continue;
        }
        let body = statement["pub use ".len()..].trim().trim_end_matches(';');
        if let Some((module, names)) = body.split_once("::") {
            let names = names.trim_start_matches('{').trim_end_matches('}');
            for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                map.insert(name.to_owned(), module.to_owned());
            }
        }
        statement.clear();
    }
    map
}

/// `a → b → a`, then each reference of the cycle on a line of its own with where it is.
fn describe_cycle(cycle: &[Reference]) -> String {
    let path: Vec<&str> = cycle.iter().map(|r| r.from.as_str()).collect();
    format!(
        "{} → {}\n{}",
        path.join(" → "),
        cycle[0].from,
        cycle
            .iter()
            .map(|r| format!("  {}: `{}` uses `{}`", r.at, r.from, r.to))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// A cycle among the references (each one's `to` is the next one's `from`), if there is one.
fn find_cycle(references: &BTreeSet<Reference>) -> Option<Vec<Reference>> {
    let mut edges: BTreeMap<&str, Vec<&Reference>> = BTreeMap::new();
    for r in references {
        let out = edges.entry(r.from.as_str()).or_default();
        // One reference per pair of modules is enough to show a cycle.
        if !out.iter().any(|o| o.to == r.to) {
            out.push(r);
        }
    }
    let mut done = BTreeSet::new();
    for start in edges.keys() {
        let mut path: Vec<&Reference> = Vec::new();
        if let Some(cycle) = visit(start, &edges, &mut path, &mut done) {
            return Some(cycle);
        }
    }
    None
}

fn visit<'a>(
    module: &'a str,
    edges: &BTreeMap<&'a str, Vec<&'a Reference>>,
    path: &mut Vec<&'a Reference>,
    done: &mut BTreeSet<&'a str>,
) -> Option<Vec<Reference>> {
    if let Some(start) = path.iter().position(|r| r.from == module) {
        return Some(path[start..].iter().map(|r| (*r).clone()).collect());
    }
    if done.contains(module) {
        return None;
    }
    for r in edges.get(module).into_iter().flatten() {
        path.push(r);
        if let Some(cycle) = visit(&r.to, edges, path, done) {
            return Some(cycle);
        }
        path.pop();
    }
    done.insert(module);
    None
}

/// A file's module path: `src/client/chain.rs` → `client::chain`, `src/client/mod.rs` →
/// `client`.
fn module_path(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The paths a line of code names, made absolute from `module` (`crate::a::b::C`,
/// `super::x` → `parent::x`, `self::x` and a child's `x::` → `module::x`).
fn named_paths(code: &str, module: &str, children: &BTreeSet<String>) -> Vec<String> {
    let mut paths = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_');
        if !starts_word || !(bytes[i].is_alphabetic() || bytes[i] == '_') {
            i += 1;
            continue;
        }
        // A path: words joined by `::` (a `{` group's first word is enough to name a file).
        let mut segments = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < bytes.len() && (bytes[j].is_alphanumeric() || bytes[j] == '_') {
                j += 1;
            }
            segments.push(bytes[start..j].iter().collect::<String>());
            if bytes.get(j) == Some(&':') && bytes.get(j + 1) == Some(&':') {
                j += 2;
                if bytes.get(j) == Some(&'{') {
                    let group: String = bytes[j + 1..].iter().collect();
                    for item in group.split([',', '}']).map(str::trim) {
                        let first: String = item
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if !first.is_empty() {
                            let mut with = segments.clone();
                            with.push(first);
                            if let Some(p) = absolute(&with, module, children) {
                                paths.push(p);
                            }
                        }
                    }
                    break;
                }
                if !(bytes.get(j).is_some_and(|c| c.is_alphabetic() || *c == '_')) {
                    break;
                }
            } else {
                break;
            }
        }
        if segments.len() > 1 {
            if let Some(p) = absolute(&segments, module, children) {
                paths.push(p);
            }
        }
        i = j.max(i + 1);
    }
    paths
}

fn absolute(segments: &[String], module: &str, children: &BTreeSet<String>) -> Option<String> {
    let parent = |m: &str| {
        m.rsplit_once("::")
            .map_or(String::new(), |(p, _)| p.to_owned())
    };
    let join = |base: String, rest: &[String]| {
        let mut all: Vec<String> = if base.is_empty() { vec![] } else { vec![base] };
        all.extend(rest.iter().cloned());
        all.join("::")
    };
    match segments[0].as_str() {
        "crate" => Some(segments[1..].join("::")),
        "super" => {
            let mut base = parent(module);
            let mut rest = &segments[1..];
            while rest.first().is_some_and(|s| s == "super") {
                base = parent(&base);
                rest = &rest[1..];
            }
            Some(join(base, rest))
        }
        "self" => Some(join(module.to_owned(), &segments[1..])),
        first if children.contains(first) => Some(join(module.to_owned(), segments)),
        _ => None,
    }
}

/// Every reference from one file of `src/` (not `lib.rs`, not the command line) to another.
fn file_references(src: &Path) -> BTreeSet<Reference> {
    let files: Vec<PathBuf> = rust_files(src, Path::new(""))
        .into_iter()
        .filter(|f| !f.starts_with(src.join("bin")) && f != &src.join("lib.rs"))
        .collect();
    let modules: BTreeMap<String, &PathBuf> =
        files.iter().map(|f| (module_path(src, f), f)).collect();
    let reexported = reexports(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut found = BTreeSet::new();
    for (module, file) in &modules {
        let prefix = format!("{module}::");
        let children: BTreeSet<String> = modules
            .keys()
            .filter_map(|m| m.strip_prefix(&prefix))
            .filter(|rest| !rest.contains("::"))
            .map(str::to_owned)
            .collect();
        let text = std::fs::read_to_string(file).unwrap();
        let shown = file.strip_prefix(src.parent().unwrap()).unwrap().display();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            let declares = [
                "mod ",
                "pub mod ",
                "pub(crate) mod ",
                "pub use ",
                "pub(crate) use ",
            ]
            .iter()
            .any(|p| code.starts_with(p));
            if code.starts_with("//") || declares {
                continue;
            }
            for path in named_paths(code, module, &children) {
                let path = match reexported.get(&path) {
                    Some(home) => home.clone(),
                    None => path,
                };
                // The longest module the path names: the file it is in.
                let mut to = path.as_str();
                while !modules.contains_key(to) {
                    match to.rsplit_once("::") {
                        Some((shorter, _)) => to = shorter,
                        None => break,
                    }
                }
                if modules.contains_key(to)
                    && to != module
                    && !module.starts_with(&format!("{to}::"))
                {
                    found.insert(Reference {
                        from: module.clone(),
                        to: to.to_owned(),
                        at: format!("{shown}:{}", n + 1),
                    });
                }
            }
        }
    }
    found
}

#[test]
fn the_files_form_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    if let Some(cycle) = find_cycle(&file_references(&src)) {
        panic!("\nimport cycle between files: {}\n", describe_cycle(&cycle));
    }
}

#[test]
fn the_check_reads_references_as_the_compiler_does() {
    assert_eq!(
        referenced_names("use crate::error::{Error, Result};"),
        ["error"]
    );
    assert_eq!(
        referenced_names("use crate::{auth::Secret, client::{Client, ClientBuilder}, Error};"),
        ["auth", "client", "Error"]
    );
    assert_eq!(
        referenced_names("|| -> $crate::Result<()> { $crate::ffi::handle::deliver(x) }"),
        ["Result", "ffi"]
    );
    assert!(referenced_names("use mycrate::client;").is_empty());
    let lib = "pub use client::{\n    Client, ClientBuilder,\n};\npub use error::Error;\n";
    let map = reexports(lib);
    assert_eq!(map.get("ClientBuilder").map(String::as_str), Some("client"));
    assert_eq!(map.get("Error").map(String::as_str), Some("error"));
    let children: BTreeSet<String> = ["builder".to_owned()].into();
    assert_eq!(
        named_paths("use super::chain::{self, Host};", "client::env", &children),
        [
            "client::chain::self",
            "client::chain::Host",
            "client::chain"
        ]
    );
    assert_eq!(
        named_paths(
            "let b = builder::ClientBuilder::new(crate::error::Error::X);",
            "client",
            &children
        ),
        ["client::builder::ClientBuilder::new", "error::Error::X"]
    );
}
