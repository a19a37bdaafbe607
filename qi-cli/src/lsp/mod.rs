//! `qi lsp`: a Language Server Protocol server over standard input and output.
//!
//! The protocol is `lsp-server` (framing, the initialize and shutdown handshakes) and
//! `lsp-types` (every message's types). Documents are synced whole; each open or change
//! runs the front end `qi check` runs (analysis.rs) and publishes its diagnostics, and the
//! checker's tables (`qi_ir::Index`) answer hover, definition and completion. Positions are
//! UTF-16 columns, the protocol's default (position.rs).

mod analysis;
mod completion;
mod navigation;
mod position;
mod symbols;
mod uri;

use analysis::Analysis;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CompletionOptions, Diagnostic, DiagnosticSeverity, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
};
use position::LineIndex;
use qi_syntax::Lang;
use std::collections::{HashMap, HashSet};

/// Run the server until the client says `exit`; the process's exit status (0 after a
/// `shutdown`, 1 without one, as the protocol asks).
pub fn run(lang: Lang) -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let status = serve(&connection, lang);
    drop(connection);
    match io_threads.join() {
        Ok(()) => status,
        Err(e) => {
            qi_rt::output::write_stderr_line(&format!("qi lsp: {e}"));
            1
        }
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

fn serve(connection: &Connection, lang: Lang) -> u8 {
    let caps = serde_json::to_value(capabilities()).expect("capabilities serialise");
    if let Err(e) = connection.initialize(caps) {
        qi_rt::output::write_stderr_line(&format!("qi lsp: {e}"));
        return 1;
    }
    let mut server = Server { connection, lang, documents: HashMap::new() };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => match connection.handle_shutdown(&request) {
                Ok(true) => return 0,
                Ok(false) => server.request(request),
                Err(e) => {
                    qi_rt::output::write_stderr_line(&format!("qi lsp: {e}"));
                    return 1;
                }
            },
            Message::Notification(n) if n.method == note::Exit::METHOD => return 1,
            Message::Notification(n) => server.notification(n),
            Message::Response(_) => {}
        }
    }
    // The client closed the connection without `shutdown` and `exit`.
    1
}

/// An open document and what the front end made of it.
struct Document {
    text: String,
    analysis: Analysis,
    /// The last analysis the checker ran on (its tables), while the text has syntax
    /// errors: completion goes on with the names known before the edit.
    last_checked: Option<Analysis>,
    /// The other files diagnostics were published for (to clear them later), by URI
    /// text (`Uri` caches parts of itself, which makes it a poor key).
    published: HashSet<String>,
}

struct Server<'c> {
    connection: &'c Connection,
    lang: Lang,
    /// By URI text.
    documents: HashMap<String, Document>,
}

impl Server<'_> {
    fn send(&self, message: Message) {
        // The writer thread is gone only when the client went away; the loop ends then.
        let _ = self.connection.sender.send(message);
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidOpenTextDocumentParams>(
                    note::DidOpenTextDocument::METHOD,
                ) {
                    self.update(p.text_document.uri, p.text_document.text);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    note::DidChangeTextDocument::METHOD,
                ) {
                    // Full sync: the last change holds the whole text.
                    if let Some(change) = p.content_changes.into_iter().last() {
                        self.update(p.text_document.uri, change.text);
                    }
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidCloseTextDocumentParams>(
                    note::DidCloseTextDocument::METHOD,
                ) {
                    let uri = p.text_document.uri;
                    if let Some(doc) = self.documents.remove(uri.as_str()) {
                        for other in doc.published {
                            self.publish_to(&other, Vec::new());
                        }
                        self.publish(uri, Vec::new());
                    }
                }
            }
            _ => {}
        }
    }

    /// Check a document's new text and publish its diagnostics.
    fn update(&mut self, uri: Uri, text: String) {
        let analysis = analysis::analyse(uri::to_path(&uri), &text);
        let lines: Vec<LineIndex> =
            analysis.files.iter().map(|f| LineIndex::new(&f.text)).collect();
        let mut by_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); analysis.files.len()];
        for d in &analysis.diagnostics {
            let Some(lines) = lines.get(d.file as usize) else { continue };
            by_file[d.file as usize].push(to_lsp_diagnostic(d, lines, self.lang));
        }
        drop(lines);
        // The document's own diagnostics first: what the editor waits for after a change.
        self.publish(uri.clone(), std::mem::take(&mut by_file[0]));
        let mut published = HashSet::new();
        for (i, diagnostics) in by_file.into_iter().enumerate().skip(1) {
            if !diagnostics.is_empty() {
                let other = uri::from_path(&analysis.files[i].name);
                published.insert(other.as_str().to_string());
                self.publish(other, diagnostics);
            }
        }
        let previous = self.documents.remove(uri.as_str());
        let (last_checked, old_published) = match previous {
            Some(old) if analysis.index.is_none() => {
                let last = if old.analysis.index.is_some() {
                    Some(old.analysis)
                } else {
                    old.last_checked
                };
                (last, old.published)
            }
            Some(old) => (None, old.published),
            None => (None, HashSet::new()),
        };
        for stale in old_published.difference(&published) {
            self.publish_to(stale, Vec::new());
        }
        self.documents
            .insert(uri.as_str().to_string(), Document { text, analysis, last_checked, published });
    }

    fn publish_to(&self, uri: &str, diagnostics: Vec<Diagnostic>) {
        if let Ok(uri) = uri.parse() {
            self.publish(uri, diagnostics);
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>) {
        let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
        self.send(Message::Notification(Notification::new(
            note::PublishDiagnostics::METHOD.to_string(),
            params,
        )));
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            req::HoverRequest::METHOD => self.handle::<req::HoverRequest>(request, |doc, p| {
                navigation::hover(doc, p.text_document_position_params.position)
            }),
            req::GotoDefinition::METHOD => self.handle::<req::GotoDefinition>(request, |doc, p| {
                navigation::definition(doc, &p.text_document_position_params)
            }),
            req::Completion::METHOD => self.handle::<req::Completion>(request, |doc, p| {
                completion::complete(doc, &p.text_document_position)
            }),
            req::DocumentSymbolRequest::METHOD => self
                .handle::<req::DocumentSymbolRequest>(request, |doc, _| {
                    Some(symbols::document_symbols(&doc.text))
                }),
            req::Formatting::METHOD => {
                self.handle::<req::Formatting>(request, |doc, _| format_edits(&doc.text))
            }
            _ => Err((ErrorCode::MethodNotFound, format!("unknown method {}", request.method))),
        };
        let response = match result {
            Ok(value) => Response { id, result: Some(value), error: None },
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(Message::Response(response));
    }

    /// Answer a request about an open document with `answer`.
    fn handle<R>(
        &self,
        request: Request,
        answer: impl FnOnce(&Document, &R::Params) -> R::Result,
    ) -> Result<serde_json::Value, (ErrorCode, String)>
    where
        R: lsp_types::request::Request,
        R::Params: DocumentParams,
    {
        let (_, params) = request
            .extract::<R::Params>(R::METHOD)
            .map_err(|e| (ErrorCode::InvalidParams, format!("{e:?}")))?;
        let doc = self
            .documents
            .get(params.uri().as_str())
            .ok_or((ErrorCode::InvalidParams, "the document is not open".to_string()))?;
        serde_json::to_value(answer(doc, &params))
            .map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }
}

/// The parameters of a request about one document.
trait DocumentParams {
    fn uri(&self) -> &Uri;
}

impl DocumentParams for lsp_types::HoverParams {
    fn uri(&self) -> &Uri {
        &self.text_document_position_params.text_document.uri
    }
}

impl DocumentParams for lsp_types::GotoDefinitionParams {
    fn uri(&self) -> &Uri {
        &self.text_document_position_params.text_document.uri
    }
}

impl DocumentParams for lsp_types::CompletionParams {
    fn uri(&self) -> &Uri {
        &self.text_document_position.text_document.uri
    }
}

impl DocumentParams for lsp_types::DocumentSymbolParams {
    fn uri(&self) -> &Uri {
        &self.text_document.uri
    }
}

impl DocumentParams for lsp_types::DocumentFormattingParams {
    fn uri(&self) -> &Uri {
        &self.text_document.uri
    }
}

/// A diagnostic as `qi check` words it (its hint on a line of its own).
fn to_lsp_diagnostic(d: &qi_syntax::Diagnostic, lines: &LineIndex, lang: Lang) -> Diagnostic {
    let mut message = d.message.get(lang).to_string();
    if let Some(hint) = &d.hint {
        message.push('\n');
        message.push_str(hint.get(lang));
    }
    let severity = match d.severity {
        qi_syntax::Severity::Error => DiagnosticSeverity::ERROR,
        qi_syntax::Severity::Warning => DiagnosticSeverity::WARNING,
    };
    Diagnostic {
        range: lines.range(d.range),
        severity: Some(severity),
        source: Some("qi".to_string()),
        message,
        ..Diagnostic::default()
    }
}

/// `qi fmt` of the document as one edit replacing the whole text; none when the text has
/// syntax errors (they are in the diagnostics already) or is already formatted.
fn format_edits(text: &str) -> Option<Vec<TextEdit>> {
    if qi_syntax::format::is_off(text) {
        return Some(Vec::new());
    }
    let formatted = qi_syntax::format::format(text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let lines = LineIndex::new(text);
    let range = lines.range(rowan::TextRange::up_to(rowan::TextSize::of(text)));
    Some(vec![TextEdit { range, new_text: formatted }])
}
