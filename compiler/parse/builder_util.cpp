// Helpers that turn parse-tree pieces (names, types, literals, embedded SQL) into AST values.
#include <cctype>
#include <fmt/format.h>

#include <algorithm>

#include "compiler/parse/builder.h"

namespace schemac::parse {

using g::SchemaParser;

std::string FoldIdent(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string UnquoteString(std::string_view t) {
  std::string out;
  const bool escape = !t.empty() && (t[0] == 'e' || t[0] == 'E');
  if (escape) t.remove_prefix(1);
  if (t.size() < 2) return out;
  t = t.substr(1, t.size() - 2);
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\'' && i + 1 < t.size() && t[i + 1] == '\'') {
      out += '\'';
      ++i;
      continue;
    }
    if (escape && c == '\\' && i + 1 < t.size()) {
      const char n = t[++i];
      switch (n) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        default: out += n; break;
      }
      continue;
    }
    out += c;
  }
  return out;
}

base::Loc Builder::LocOf(antlr4::Token* tok) const {
  if (tok == nullptr) return {};
  const uint32_t b = file_.ByteOffsetOfCodePoint(tok->getStartIndex());
  const uint32_t e = file_.ByteOffsetOfCodePoint(tok->getStopIndex() + 1);
  return {file_id_, b, std::max(b, e)};
}

base::Loc Builder::LocOf(antlr4::ParserRuleContext* ctx) const {
  if (ctx == nullptr || ctx->getStart() == nullptr) return {};
  antlr4::Token* start = ctx->getStart();
  antlr4::Token* stop = ctx->getStop();
  const uint32_t b = file_.ByteOffsetOfCodePoint(start->getStartIndex());
  if (stop == nullptr || stop->getTokenIndex() < start->getTokenIndex()) return {file_id_, b, b};
  const uint32_t e = file_.ByteOffsetOfCodePoint(stop->getStopIndex() + 1);
  return {file_id_, b, std::max(b, e)};
}

ast::SqlText Builder::SqlOf(antlr4::ParserRuleContext* ctx) const {
  const base::Loc loc = LocOf(ctx);
  return {file_.text().substr(loc.begin, loc.end - loc.begin), loc};
}

ast::SqlText Builder::SqlBetween(antlr4::Token* open, antlr4::Token* close) const {
  const uint32_t b = file_.ByteOffsetOfCodePoint(open->getStopIndex() + 1);
  const uint32_t e = file_.ByteOffsetOfCodePoint(close->getStartIndex());
  // Trim surrounding whitespace so locations point at the SQL itself.
  uint32_t tb = b;
  uint32_t te = std::max(b, e);
  const std::string& t = file_.text();
  while (tb < te && std::isspace(static_cast<unsigned char>(t[tb]))) ++tb;
  while (te > tb && std::isspace(static_cast<unsigned char>(t[te - 1]))) --te;
  return {t.substr(tb, te - tb), {file_id_, tb, te}};
}

ast::SqlText Builder::ParenSqlOf(SchemaParser::ParenSqlContext* ctx) const {
  return SqlBetween(ctx->LPAREN()->getSymbol(), ctx->RPAREN()->getSymbol());
}

ast::Name Builder::NameOf(SchemaParser::IdentifierContext* ctx) const {
  ast::Name n;
  // An identifier is a single token (a name, a quoted name or a keyword).
  antlr4::Token* tok = ctx->getStart();
  n.loc = LocOf(tok);
  if (tok->getType() == SchemaParser::QIDENT) {
    const std::string raw = tok->getText();
    std::string out;
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      out += raw[i];
      if (raw[i] == '"') ++i;  // "" inside quotes is one "
    }
    n.text = out;
  } else {
    n.text = FoldIdent(tok->getText());
  }
  // PostgreSQL truncates longer names (NAMEDATALEN 64) with only a notice; the database would then
  // never match the schema, so this is an error here.
  if (n.text.size() > 63) {
    diags_.Error(base::DiagKind::IdentifierTooLong, n.loc,
                 fmt::format("name is {} bytes long; PostgreSQL keeps at most 63 bytes of a name",
                             n.text.size()));
  }
  return n;
}

ast::QualName Builder::QualNameOf(SchemaParser::QualifiedNameContext* ctx) const {
  ast::QualName q;
  q.loc = LocOf(ctx);
  // Children: identifier [DOT identifier].
  const auto& kids = ctx->children;
  if (kids.size() == 3) {
    q.schema = NameOf(static_cast<SchemaParser::IdentifierContext*>(kids[0]));
    q.name = NameOf(static_cast<SchemaParser::IdentifierContext*>(kids[2]));
  } else {
    q.name = NameOf(static_cast<SchemaParser::IdentifierContext*>(kids[0]));
  }
  return q;
}

ast::QualName Builder::DottedOf(SchemaParser::DottedNameContext* ctx) const {
  ast::QualName q;
  q.loc = LocOf(ctx);
  auto ids = ctx->identifier();
  q.name = NameOf(ids.back());
  if (ids.size() >= 2) {
    q.schema = NameOf(ids[ids.size() - 2]);
    // Three parts: schema.table.column. Keep the schema in the table part's name, joined by '.',
    // so a consumer can split it; QualName has two slots only.
    if (ids.size() >= 3) {
      ast::Name first = NameOf(ids[ids.size() - 3]);
      q.schema->text = first.text + "." + q.schema->text;
      q.schema->loc.begin = first.loc.begin;
    }
  }
  return q;
}

std::vector<std::pair<ast::Name, std::string>> Builder::OptionsOf(
    const std::vector<SchemaParser::ViewOptionContext*>& options) const {
  std::vector<std::pair<ast::Name, std::string>> out;
  for (auto* o : options) {
    std::string value = "true";
    if (o->children.size() > 2) {
      if (o->stringLiteral() != nullptr) {
        value = StringOf(o->stringLiteral()).text;
      } else {
        value = o->children.back()->getText();
        for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    out.emplace_back(NameOf(o->identifier(0)), value);
  }
  return out;
}

std::vector<ast::Name> Builder::NamesOf(SchemaParser::IdentifierListContext* ctx) const {
  std::vector<ast::Name> out;
  if (ctx == nullptr) return out;
  for (auto* id : ctx->identifier()) out.push_back(NameOf(id));
  return out;
}

ast::SqlText Builder::StringOf(SchemaParser::StringLiteralContext* ctx) const {
  return {UnquoteString(ctx->getText()), LocOf(ctx)};
}

std::string Builder::SignedNumberOf(SchemaParser::SignedNumberContext* ctx) const {
  return ctx->getText();
}

namespace {

void AddArraySuffixes(const std::vector<SchemaParser::ArraySuffixContext*>& suffixes, ast::TypeRef& t) {
  t.array_dims += static_cast<int>(suffixes.size());
}

}  // namespace

ast::TypeRef Builder::TypeOf(SchemaParser::TypeNameContext* ctx) const {
  ast::TypeRef t;
  t.loc = LocOf(ctx);
  auto mods_of = [&](SchemaParser::TypeModifiersContext* m) {
    std::vector<std::string> out;
    if (m == nullptr) return out;
    for (auto* tm : m->typeModifier()) {
      if (tm->identifier() != nullptr) {
        out.push_back(NameOf(tm->identifier()).text);
      } else {
        out.push_back(tm->getText());
      }
    }
    return out;
  };
  if (auto* c = As<SchemaParser::TimeTypeContext>(ctx)) {
    t.name = c->TIMESTAMP() != nullptr ? "timestamp" : "time";
    if (c->WITH() != nullptr) t.name += " with time zone";
    if (c->WITHOUT() != nullptr) t.name += " without time zone";
    t.modifiers = mods_of(c->typeModifiers());
    AddArraySuffixes(c->arraySuffix(), t);
  } else if (auto* d = As<SchemaParser::DoubleTypeContext>(ctx)) {
    t.name = "double precision";
    AddArraySuffixes(d->arraySuffix(), t);
  } else if (auto* ch = As<SchemaParser::CharTypeContext>(ctx)) {
    t.name = ch->VARYING() != nullptr ? "character varying" : "character";
    t.modifiers = mods_of(ch->typeModifiers());
    AddArraySuffixes(ch->arraySuffix(), t);
  } else if (auto* b = As<SchemaParser::BitTypeContext>(ctx)) {
    t.name = b->VARYING() != nullptr ? "bit varying" : "bit";
    t.modifiers = mods_of(b->typeModifiers());
    AddArraySuffixes(b->arraySuffix(), t);
  } else if (auto* n = As<SchemaParser::NamedTypeContext>(ctx)) {
    ast::QualName q = QualNameOf(n->qualifiedName());
    t.schema = q.schema;
    t.name = q.name.text;
    t.modifiers = mods_of(n->typeModifiers());
    AddArraySuffixes(n->arraySuffix(), t);
  }
  return t;
}

ast::Deferral Builder::DeferralOf(SchemaParser::DeferralContext* ctx) const {
  if (ctx == nullptr) return ast::Deferral::NotDeferrable;
  if (ctx->DEFERRED() != nullptr) return ast::Deferral::InitiallyDeferred;
  if (ctx->DEFERRABLE() != nullptr && ctx->NOT() == nullptr) return ast::Deferral::InitiallyImmediate;
  return ast::Deferral::NotDeferrable;
}

ast::References Builder::ReferencesOf(SchemaParser::ReferencesClauseContext* ctx) const {
  ast::References r;
  r.loc = LocOf(ctx);
  r.table = QualNameOf(ctx->qualifiedName());
  r.columns = NamesOf(ctx->identifierList());
  if (ctx->MATCH() != nullptr) {
    r.match = ctx->FULL() != nullptr ? "full" : ctx->SIMPLE() != nullptr ? "simple" : "partial";
  }
  for (auto* a : ctx->referentialAction()) {
    ast::FkAction act = ast::FkAction::NoAction;
    if (a->CASCADE() != nullptr) act = ast::FkAction::Cascade;
    else if (a->RESTRICT() != nullptr) act = ast::FkAction::Restrict;
    else if (a->NULL_P() != nullptr) act = ast::FkAction::SetNull;
    else if (a->DEFAULT() != nullptr) act = ast::FkAction::SetDefault;
    if (a->DELETE() != nullptr) {
      r.on_delete = act;
      r.on_delete_set_columns = NamesOf(a->identifierList());
    } else {
      r.on_update = act;
    }
  }
  r.deferral = DeferralOf(ctx->deferral());
  r.not_valid = ctx->VALID() != nullptr;
  return r;
}

ast::IndexElem Builder::IndexElemOf(SchemaParser::IndexElemContext* ctx) const {
  ast::IndexElem e;
  e.loc = LocOf(ctx);
  auto* ie = ctx->indexExpr();
  if (ie->identifier() != nullptr) {
    ast::Name n = NameOf(ie->identifier());
    e.expr = {n.text, n.loc};
    e.is_column = true;
  } else if (ie->qualifiedName() == nullptr) {
    // (expression): keep the text inside the parentheses.
    e.expr = SqlBetween(ie->LPAREN()->getSymbol(), ie->RPAREN()->getSymbol());
  } else {
    e.expr = SqlOf(ie);  // function call
  }
  if (ctx->dottedName() != nullptr) {
    e.collation = ast::Name{ctx->dottedName()->getText(), LocOf(ctx->dottedName())};
    // Collation names are identifiers: fold unquoted parts, unquote quoted ones.
    std::string folded;
    for (auto* id : ctx->dottedName()->identifier()) {
      if (!folded.empty()) folded += '.';
      folded += NameOf(id).text;
    }
    e.collation->text = folded;
  }
  if (ctx->qualifiedName() != nullptr) e.opclass = QualNameOf(ctx->qualifiedName());
  e.descending = ctx->DESC() != nullptr;
  if (ctx->NULLS() != nullptr) e.nulls_first = ctx->FIRST() != nullptr;
  return e;
}

void Builder::SequenceOptionOf(SchemaParser::SequenceOptionContext* ctx, ast::SequenceOptions& o,
                               ast::Sequence* seq) const {
  if (ctx->typeName() != nullptr) {
    o.as_type = TypeOf(ctx->typeName());
  } else if (ctx->START() != nullptr) {
    o.start = SignedNumberOf(ctx->signedNumber());
  } else if (ctx->INCREMENT() != nullptr) {
    o.increment = SignedNumberOf(ctx->signedNumber());
  } else if (ctx->MINVALUE() != nullptr) {
    o.min_value = ctx->NO() != nullptr ? std::string() : SignedNumberOf(ctx->signedNumber());
  } else if (ctx->MAXVALUE() != nullptr) {
    o.max_value = ctx->NO() != nullptr ? std::string() : SignedNumberOf(ctx->signedNumber());
  } else if (ctx->CACHE() != nullptr) {
    o.cache = SignedNumberOf(ctx->signedNumber());
  } else if (ctx->CYCLE() != nullptr) {
    o.cycle = ctx->NO() == nullptr;
  } else if (ctx->OWNED() != nullptr) {
    if (seq == nullptr) {
      diags_.Error(base::DiagKind::InvalidOption, LocOf(ctx),
                   "'owned by' is only allowed on a sequence declaration");
      return;
    }
    if (ctx->NONE() != nullptr) {
      seq->owned_by_none = true;
    } else {
      seq->owned_by = DottedOf(ctx->dottedName());
    }
  }
}

}  // namespace schemac::parse
