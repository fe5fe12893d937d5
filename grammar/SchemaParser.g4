// Parser of the `.schema` language (docs/language.md). Declarations are block- or line-shaped; embedded
// SQL (defaults, checks, predicates, queries, bodies) is recognised here only far enough to know where
// it ends, then handed to PostgreSQL's own parser (compiler/sqltext) as text.
//
// Layout rules the parser relies on:
// - A top-level declaration starts with its keyword in column 1. A view query runs until the next line
//   that starts (in column 1) with a declaration keyword, a `;`, or the end of the file.
// - Inside a table block each item starts on a new line; a column's options continue on the same line
//   or on following lines indented deeper than the column name.
parser grammar SchemaParser;

options { tokenVocab = SchemaLexer; }

@parser::header {
// Thrown by the error strategy after a syntax error, once it has skipped to the next declaration, to
// unwind to the enclosing `declaration` rule (see its catch clause) instead of letting every
// enclosing rule try to go on with tokens that belong to the next declaration.
#ifndef SCHEMAC_RESYNC_TO_DECLARATION
#define SCHEMAC_RESYNC_TO_DECLARATION
struct ResyncToDeclaration {};
#endif
}

@parser::members {
  // True when the next token starts a top-level declaration: a declaration keyword in column 1.
  bool IsDeclStart() {
    antlr4::Token* t = _input->LT(1);
    if (t->getCharPositionInLine() != 0) return false;
    switch (t->getType()) {
      case EXTENSION: case SCHEMA: case ENUM: case DOMAIN_P: case TYPE: case SEQUENCE: case TABLE:
      case UNLOGGED: case VIEW: case MATERIALIZED: case FUNCTION: case PROCEDURE: case TRIGGER:
      case CONSTRAINT: case POLICY: case ROW: case FORCE: case GRANT: case COMMENT: case INDEX:
      case UNIQUE: case COLLATION:
        return true;
      default:
        return false;
    }
  }

  // True when the next token continues the current table item rather than starting a new one: it is
  // on the same line as the previous token, or indented deeper than the item's first token.
  bool ContinuesItem() {
    antlr4::Token* t = _input->LT(1);
    antlr4::Token* prev = _input->LT(-1);
    if (prev != nullptr && t->getLine() == prev->getLine()) return true;
    return item_start_ == nullptr || t->getCharPositionInLine() > item_start_->getCharPositionInLine();
  }

  antlr4::Token* item_start_ = nullptr;
  // Column names that were not followed by a type (see columnDef).
  std::vector<antlr4::Token*> missing_types_;
}

schemaFile
  : (declaration SEMI*)* EOF
  ;

declaration
  : extensionDecl
  | schemaDecl
  | enumDecl
  | domainDecl
  | compositeTypeDecl
  | sequenceDecl
  | collationDecl
  | tableDecl
  | indexDecl
  | viewDecl
  | functionDecl
  | triggerDecl
  | policyDecl
  | rlsDecl
  | grantDecl
  | commentDecl
  ;
  catch [ResyncToDeclaration &] { /* tokens already skipped to the next declaration */ }

// ---- names --------------------------------------------------------------------------------------

// Names: every keyword except PostgreSQL's reserved words may be used as a name, as in SQL. (The
// keywords are listed here rather than in a sub-rule: one parse-tree node per name, not two.)
identifier
  : IDENT
  | QIDENT
  | ACTION | AFTER | ALWAYS | AT | BEFORE | BIT | BY | CACHE | CALLED | CASCADE
  | CASCADED | CHAR | CHARACTER | COLLATION | COMMENT | COST | CYCLE | DEFERRED | DEFINER | DELETE | DOMAIN_P
  | DOUBLE | EACH | ENABLED | ENUM | EXCLUDE | EXECUTE | EXISTS | EXTENSION | FIRST | FORCE | FULL
  | FUNCTION | GENERATED | HASH | IDENTITY | IMMEDIATE | IMMUTABLE | INCLUDE | INCREMENT | INDEX | INHERIT | INHERITS
  | INOUT | INPUT | INSERT | INSTEAD | INVOKER | KEY | LANGUAGE | LAST | LEAKPROOF | LEVEL
  | LIST | LOCAL | MATCH | MATERIALIZED | MAXVALUE | MINVALUE | NEW | NO | NONE | NULLS
  | OF | OLD | OPTION | OUT_P | OWNED | PARALLEL | PARTIAL | PARTITION | POLICY | PRECISION
  | PRIVILEGES | PROCEDURE | RANGE | REFERENCING | RENAMED | RESTRICT | RETURNS | ROW | ROWS | SCHEMA
  | SECURITY | SEQUENCE | SET | SETOF | SIMPLE | STABLE | START | STATEMENT | STORED | STRICT
  | TIME | TIMESTAMP | TRIGGER | TRUNCATE | TYPE | UNLOGGED | UPDATE | VALID | VALUES | VARIADIC | VARYING
  | VERSION | VIEW | VOLATILE | WITHOUT | ZONE
  ;

qualifiedName
  : identifier (DOT identifier)?
  ;

dottedName
  : identifier (DOT identifier)*
  ;

identifierList
  : identifier (COMMA identifier)*
  ;

renamedFrom
  : RENAMED FROM qualifiedName
  ;

stringLiteral
  : STRING
  | ESCAPE_STRING
  ;

signedNumber
  : OP? NUMBER
  ;

// ---- types --------------------------------------------------------------------------------------

typeName
  : (TIMESTAMP | TIME) typeModifiers? ((WITH | WITHOUT) TIME ZONE)? arraySuffix*       # timeType
  | DOUBLE PRECISION arraySuffix*                                                     # doubleType
  | (CHARACTER | CHAR) VARYING? typeModifiers? arraySuffix*                           # charType
  | BIT VARYING? typeModifiers? arraySuffix*                                          # bitType
  | qualifiedName typeModifiers? arraySuffix*                                         # namedType
  ;

typeModifiers
  : LPAREN typeModifier (COMMA typeModifier)* RPAREN
  ;

typeModifier
  : signedNumber
  | identifier
  | stringLiteral
  ;

arraySuffix
  : LBRACK NUMBER? RBRACK
  | ARRAY (LBRACK NUMBER? RBRACK)?
  ;

// ---- embedded SQL -------------------------------------------------------------------------------

// Tokens between balanced parentheses and brackets. Braces never occur in SQL outside strings, so
// a stray `}` (or the start of the next declaration) ends the run and a missing `)` is reported
// close by. Brackets nest like parentheses: were `]` an ordinary token here, `ARRAY[1]` in a default
// would run on to the last `]` of the table (`tags text[]` on a later line).
// (Kept to one rule with no per-token sub-rule: every rule invocation costs a parse-tree node.)
balanced
  : ( LPAREN balanced RPAREN
    | LBRACK balanced RBRACK
    | {!IsDeclStart()}? ~(LPAREN | RPAREN | LBRACE | RBRACE | LBRACK | RBRACK)
    )*
  ;

parenSql
  : LPAREN balanced RPAREN
  ;

// A SQL expression that is not wrapped in parentheses (`default now()`, `where status <> 'x'`). The
// rules only find where it ends: after a complete operand, anything but an operator ends it.
expr
  : exprTerm (binaryOperator exprTerm)*
  ;

binaryOperator
  : OP | EQ | AND | OR
  | NOT? (LIKE | ILIKE | SIMILAR TO | IN_P | BETWEEN)
  | LIKE | ILIKE | IN_P | BETWEEN
  ;

exprTerm
  : (NOT | OP)* exprPrimary exprPostfix*
  ;

exprPrimary
  : NUMBER
  | stringLiteral
  | DOLLAR_STRING
  | PARAM
  | TRUE_P | FALSE_P | NULL_P
  | LPAREN balanced RPAREN
  | CASE caseItem* END
  | (CAST | EXISTS | ROW) LPAREN balanced RPAREN
  | ARRAY (LBRACK balanced RBRACK | LPAREN balanced RPAREN)
  | typeName stringLiteral
  | qualifiedName LPAREN balanced RPAREN
  | (ALL | IDENT) LPAREN balanced RPAREN
  | dottedName (DOT OP)?
  ;

caseItem
  : CASE caseItem* END
  | ~(CASE | END | LBRACE | RBRACE)
  ;

exprPostfix
  : DCOLON typeName
  | LBRACK balanced RBRACK
  | IS NOT? (NULL_P | TRUE_P | FALSE_P | DISTINCT FROM exprTerm)
  | ISNULL
  | NOTNULL
  | AT TIME ZONE exprTerm
  ;

// A view query: everything up to the next declaration, a `;`, or the end of the file.
queryText
  : ( {!IsDeclStart()}? ~(SEMI | LBRACE | RBRACE) )+
  ;

// ---- top-level declarations ---------------------------------------------------------------------

extensionDecl
  : EXTENSION identifier ({!IsDeclStart()}? SCHEMA identifier)? (VERSION stringLiteral)?
  ;

schemaDecl
  : SCHEMA identifier renamedFrom?
  ;

enumDecl
  : ENUM qualifiedName renamedFrom? LBRACE (enumValue (COMMA enumValue)* COMMA?)? RBRACE
  ;

enumValue
  : identifier
  | stringLiteral
  ;

domainDecl
  : DOMAIN_P qualifiedName renamedFrom? AS? typeName domainOption*
  ;

domainOption
  : COLLATE dottedName
  | DEFAULT expr
  | NOT NULL_P
  | NULL_P
  | (CONSTRAINT identifier)? CHECK parenSql
  ;

compositeTypeDecl
  : TYPE qualifiedName renamedFrom? AS? LPAREN compositeField (COMMA compositeField)* COMMA? RPAREN
  ;

compositeField
  : identifier typeName (COLLATE dottedName)?
  ;

sequenceDecl
  : SEQUENCE qualifiedName renamedFrom? sequenceOption*
  ;

sequenceOption
  : AS typeName
  | START WITH? signedNumber
  | INCREMENT BY? signedNumber
  | MINVALUE signedNumber
  | MAXVALUE signedNumber
  | NO MINVALUE
  | NO MAXVALUE
  | CACHE signedNumber
  | NO? CYCLE
  | OWNED BY (NONE | dottedName)
  ;

// `collation name (provider = icu, locale = '...', deterministic = false)`: CREATE COLLATION.
collationDecl
  : COLLATION qualifiedName LPAREN viewOption (COMMA viewOption)* RPAREN
  ;

// ---- tables -------------------------------------------------------------------------------------

tableDecl
  : UNLOGGED? TABLE qualifiedName renamedFrom? partitionOf? inheritsClause? partitionBy? storageParams? tableBody?
  ;

// `inherits (parent, ...)`: table inheritance (CREATE TABLE ... INHERITS).
inheritsClause
  : INHERITS LPAREN qualifiedName (COMMA qualifiedName)* RPAREN
  ;

// Storage parameters of a table or an index: `with (fillfactor = 70, autovacuum_enabled = false)`.
storageParams
  : WITH LPAREN viewOption (COMMA viewOption)* RPAREN
  ;

partitionOf
  : PARTITION OF qualifiedName (FOR VALUES partitionBound | DEFAULT)
  ;

partitionBound
  : FROM parenSql TO parenSql
  | IN_P parenSql
  | WITH parenSql
  ;

partitionBy
  : PARTITION BY (RANGE | LIST | HASH) LPAREN indexElem (COMMA indexElem)* RPAREN
  ;

tableBody
  : LBRACE (tableItem (COMMA | SEMI)?)* RBRACE
  ;

tableItem
  : {!IsDeclStart()}?
    { item_start_ = _input->LT(1); }
    ( indexDecl
    | tableConstraint
    | tableComment
    | tableRls
    | columnDef
    )
  ;

tableComment
  : COMMENT stringLiteral
  ;

// `force row level security not enabled`: forced (FORCE ROW LEVEL SECURITY) without being enabled.
tableRls
  : ROW LEVEL SECURITY
  | FORCE ROW LEVEL SECURITY (NOT ENABLED)?
  ;

// The type must follow the column name on the same line (or indented below it). A missing type is
// remembered here and reported in words after parsing.
columnDef
  : identifier ( {ContinuesItem()}? typeName | { missing_types_.push_back(_input->LT(-1)); } ) columnOption*
  ;

// Each option continues the column only on its line or on lines indented deeper (ContinuesItem).
columnOption
  : {ContinuesItem()}? NOT NULL_P                                                              # notNullOption
  | {ContinuesItem()}? NULL_P                                                                  # nullOption
  | {ContinuesItem()}? DEFAULT expr                                                          # defaultOption
  | {ContinuesItem()}? GENERATED (ALWAYS | BY DEFAULT) AS IDENTITY (LPAREN sequenceOption* RPAREN)?   # identityOption
  | {ContinuesItem()}? GENERATED ALWAYS AS parenSql STORED                                   # generatedOption
  | {ContinuesItem()}? (CONSTRAINT identifier)? PRIMARY KEY                                  # primaryKeyOption
  | {ContinuesItem()}? (CONSTRAINT identifier)? UNIQUE                                       # uniqueOption
  | {ContinuesItem()}? (CONSTRAINT identifier)? referencesClause                             # referencesOption
  | {ContinuesItem()}? (CONSTRAINT identifier)? CHECK parenSql checkAttribute*                # checkOption
  | {ContinuesItem()}? COLLATE dottedName                                                    # collateOption
  | {ContinuesItem()}? COMMENT stringLiteral                                                 # commentOption
  | {ContinuesItem()}? RENAMED FROM identifier                                               # renamedOption
  ;

referencesClause
  : REFERENCES qualifiedName (LPAREN identifierList RPAREN)? (MATCH (FULL | SIMPLE | PARTIAL))?
    referentialAction* deferral? (NOT VALID)?
  ;

// After a check's expression, in either order, as in PostgreSQL.
checkAttribute
  : NO INHERIT
  | NOT VALID
  ;

referentialAction
  : ON (DELETE | UPDATE) (CASCADE | RESTRICT | NO ACTION | SET (NULL_P | DEFAULT) (LPAREN identifierList RPAREN)?)
  ;

deferral
  : NOT DEFERRABLE
  | DEFERRABLE (INITIALLY (DEFERRED | IMMEDIATE))?
  | INITIALLY (DEFERRED | IMMEDIATE)
  ;

tableConstraint
  : (CONSTRAINT identifier)? constraintBody renamedFrom?
  ;

constraintBody
  : PRIMARY KEY identifier? LPAREN identifierList RPAREN includeClause? deferral?           # pkConstraint
  | UNIQUE identifier? (NULLS NOT? DISTINCT)? LPAREN identifierList RPAREN includeClause? deferral?   # uniqueConstraint
  | FOREIGN KEY identifier? LPAREN identifierList RPAREN referencesClause                  # fkConstraint
  | CHECK identifier? parenSql checkAttribute*                                             # checkConstraint
  | EXCLUDE identifier? (USING identifier)? LPAREN excludeElem (COMMA excludeElem)* RPAREN
    includeClause? (WHERE parenSql)? deferral?                                            # excludeConstraint
  ;

includeClause
  : INCLUDE LPAREN identifierList RPAREN
  ;

excludeElem
  : indexElem WITH (OP | EQ | AND)
  ;

// `[unique] index [name] [on table] [renamed from x] [using method] (elements) ...`
indexDecl
  : UNIQUE? INDEX identifier? (ON qualifiedName)? renamedFrom? (USING identifier)?
    LPAREN indexElem (COMMA indexElem)* RPAREN includeClause? (NULLS NOT? DISTINCT)? storageParams? (WHERE expr)?
  ;

indexElem
  : indexExpr (COLLATE dottedName)? qualifiedName? (ASC | DESC)? (NULLS (FIRST | LAST))?
  ;

indexExpr
  : LPAREN balanced RPAREN
  | qualifiedName LPAREN balanced RPAREN
  | identifier
  ;

// ---- views, functions, triggers, policies ----------------------------------------------------------

viewDecl
  : MATERIALIZED? VIEW qualifiedName renamedFrom? (LPAREN identifierList RPAREN)?
    (WITH LPAREN viewOption (COMMA viewOption)* RPAREN)? AS queryText
  ;

viewOption
  : identifier (EQ (identifier | stringLiteral | signedNumber | TRUE_P | FALSE_P))?
  ;

functionDecl
  : (FUNCTION | PROCEDURE) qualifiedName LPAREN (functionArg (COMMA functionArg)*)? RPAREN
    functionReturns? functionOption*
  ;

functionArg
  : argMode? identifier? typeName ((DEFAULT | EQ) expr)?
  ;

argMode
  : IN_P | OUT_P | INOUT | VARIADIC
  ;

functionReturns
  : RETURNS SETOF? typeName
  | RETURNS TABLE LPAREN identifier typeName (COMMA identifier typeName)* RPAREN
  ;

functionOption
  : LANGUAGE identifier                        # languageOption
  | (IMMUTABLE | STABLE | VOLATILE)            # volatilityOption
  | STRICT                                     # strictOption
  | RETURNS NULL_P ON NULL_P INPUT                 # strictOption2
  | CALLED ON NULL_P INPUT                       # calledOption
  | SECURITY (DEFINER | INVOKER)               # securityOption
  | PARALLEL identifier                        # parallelOption
  | NOT? LEAKPROOF                             # leakproofOption
  | COST NUMBER                                # costOption
  | ROWS NUMBER                                # rowsOption
  | SET identifier (TO | EQ) setValue (COMMA setValue)*   # setOption
  | AS (stringLiteral | DOLLAR_STRING)         # bodyOption
  ;

setValue
  : stringLiteral
  | signedNumber
  | dottedName
  ;

triggerDecl
  : CONSTRAINT? TRIGGER identifier (BEFORE | AFTER | INSTEAD OF) triggerEvent (OR triggerEvent)*
    ON qualifiedName deferral? (REFERENCING (triggerTransition)+)? (FOR EACH? (ROW | STATEMENT))?
    (WHEN parenSql)? EXECUTE (FUNCTION | PROCEDURE) qualifiedName LPAREN (triggerArg (COMMA triggerArg)*)? RPAREN
  ;

triggerEvent
  : INSERT
  | UPDATE (OF identifierList)?
  | DELETE
  | TRUNCATE
  ;

triggerTransition
  : (OLD | NEW) TABLE AS? identifier
  ;

triggerArg
  : stringLiteral
  | signedNumber
  | identifier
  ;

policyDecl
  : POLICY identifier ON qualifiedName renamedFrom? (AS identifier)?
    (FOR (ALL | SELECT | INSERT | UPDATE | DELETE))? (TO identifierList)?
    (USING parenSql)? (WITH CHECK parenSql)?
  ;

rlsDecl
  : (ROW LEVEL SECURITY | FORCE ROW LEVEL SECURITY (NOT ENABLED)?) ON qualifiedName
  ;

// ---- grants and comments --------------------------------------------------------------------------

grantDecl
  : GRANT privilegeList ON grantObject TO identifierList (WITH GRANT OPTION)?
  ;

privilegeList
  : ALL PRIVILEGES? (LPAREN identifierList RPAREN)?
  | privilege (COMMA privilege)*
  ;

privilege
  : (SELECT | INSERT | UPDATE | DELETE | TRUNCATE | REFERENCES | TRIGGER | identifier)
    (LPAREN identifierList RPAREN)?
  ;

grantObject
  : objectKind? qualifiedName functionSignature?
  ;

objectKind
  : TABLE | SEQUENCE | SCHEMA | FUNCTION | PROCEDURE | TYPE | DOMAIN_P | VIEW | MATERIALIZED VIEW
  ;

functionSignature
  : LPAREN (typeName (COMMA typeName)*)? RPAREN
  ;

commentDecl
  : COMMENT ON commentTarget IS (stringLiteral | NULL_P)
  ;

commentTarget
  : COLUMN dottedName                                                  # columnCommentTarget
  | (CONSTRAINT | TRIGGER | POLICY) identifier ON qualifiedName         # onTableCommentTarget
  | (FUNCTION | PROCEDURE) qualifiedName functionSignature?            # functionCommentTarget
  | objectKind2 qualifiedName                                          # simpleCommentTarget
  ;

objectKind2
  : TABLE | SEQUENCE | SCHEMA | TYPE | DOMAIN_P | VIEW | MATERIALIZED VIEW | INDEX | EXTENSION | ENUM
  ;


