// Lexer of the `.schema` language. Keywords are case-insensitive, as in SQL. Every keyword is also
// usable as a name (see `identifier` in SchemaParser.g4). Embedded SQL is tokenized with the same
// tokens and re-read as text by the parser; PostgreSQL's own parser validates it afterwards.
lexer grammar SchemaLexer;

tokens { UNTERMINATED_DOLLAR_STRING, UNTERMINATED_COMMENT }

@lexer::members {
  // Consumes the body of a dollar-quoted string up to and including the closing tag that matches
  // the opening one (two dollar signs, optionally with a tag between them). The token becomes UNTERMINATED_DOLLAR_STRING at end of input.
  void ConsumeDollarBody() {
    const std::string tag = getText();
    while (true) {
      if (_input->LA(1) == antlr4::IntStream::EOF) {
        setType(UNTERMINATED_DOLLAR_STRING);
        return;
      }
      bool closes = true;
      for (size_t i = 0; i < tag.size(); ++i) {
        if (_input->LA(static_cast<ssize_t>(i + 1)) != static_cast<size_t>(static_cast<unsigned char>(tag[i]))) {
          closes = false;
          break;
        }
      }
      if (closes) {
        for (size_t i = 0; i < tag.size(); ++i) getInterpreter<antlr4::atn::LexerATNSimulator>()->consume(_input);
        return;
      }
      getInterpreter<antlr4::atn::LexerATNSimulator>()->consume(_input);
    }
  }

  // Consumes a block comment after its opening `/*`. Block comments nest, as in PostgreSQL.
  void ConsumeBlockComment() {
    int depth = 1;
    while (depth > 0) {
      const size_t c = _input->LA(1);
      if (c == antlr4::IntStream::EOF) {
        setType(UNTERMINATED_COMMENT);
        return;
      }
      const size_t next = _input->LA(2);
      if (c == '/' && next == '*') {
        ++depth;
        getInterpreter<antlr4::atn::LexerATNSimulator>()->consume(_input);
      } else if (c == '*' && next == '/') {
        --depth;
        getInterpreter<antlr4::atn::LexerATNSimulator>()->consume(_input);
      }
      getInterpreter<antlr4::atn::LexerATNSimulator>()->consume(_input);
    }
    skip();
  }
}

ACTION : A C T I O N ;
AFTER : A F T E R ;
ALL : A L L ;
ALWAYS : A L W A Y S ;
AND : A N D ;
ARRAY : A R R A Y ;
AS : A S ;
ASC : A S C ;
AT : A T ;
BEFORE : B E F O R E ;
BETWEEN : B E T W E E N ;
BIT : B I T ;
BY : B Y ;
CACHE : C A C H E ;
CALLED : C A L L E D ;
CASCADE : C A S C A D E ;
CASCADED : C A S C A D E D ;
CASE : C A S E ;
CAST : C A S T ;
CHAR : C H A R ;
CHARACTER : C H A R A C T E R ;
CHECK : C H E C K ;
COLLATE : C O L L A T E ;
COLLATION : C O L L A T I O N ;
COLUMN : C O L U M N ;
COMMENT : C O M M E N T ;
CONSTRAINT : C O N S T R A I N T ;
COST : C O S T ;
CYCLE : C Y C L E ;
DEFAULT : D E F A U L T ;
DEFERRABLE : D E F E R R A B L E ;
DEFERRED : D E F E R R E D ;
DEFINER : D E F I N E R ;
DELETE : D E L E T E ;
DESC : D E S C ;
DISTINCT : D I S T I N C T ;
DOMAIN_P : D O M A I N ;
DOUBLE : D O U B L E ;
EACH : E A C H ;
ELSE : E L S E ;
ENABLED : E N A B L E D ;
END : E N D ;
ENUM : E N U M ;
EXCLUDE : E X C L U D E ;
EXECUTE : E X E C U T E ;
EXISTS : E X I S T S ;
EXTENSION : E X T E N S I O N ;
FALSE_P : F A L S E ;
FIRST : F I R S T ;
FOR : F O R ;
FORCE : F O R C E ;
FOREIGN : F O R E I G N ;
FROM : F R O M ;
FULL : F U L L ;
FUNCTION : F U N C T I O N ;
GENERATED : G E N E R A T E D ;
GRANT : G R A N T ;
HASH : H A S H ;
IDENTITY : I D E N T I T Y ;
ILIKE : I L I K E ;
IMMEDIATE : I M M E D I A T E ;
IMMUTABLE : I M M U T A B L E ;
IN_P : I N ;
INCLUDE : I N C L U D E ;
INCREMENT : I N C R E M E N T ;
INDEX : I N D E X ;
INHERIT : I N H E R I T ;
INHERITS : I N H E R I T S ;
INITIALLY : I N I T I A L L Y ;
INOUT : I N O U T ;
INPUT : I N P U T ;
INSERT : I N S E R T ;
INSTEAD : I N S T E A D ;
INVOKER : I N V O K E R ;
IS : I S ;
ISNULL : I S N U L L ;
KEY : K E Y ;
LANGUAGE : L A N G U A G E ;
LAST : L A S T ;
LEAKPROOF : L E A K P R O O F ;
LEVEL : L E V E L ;
LIKE : L I K E ;
LIST : L I S T ;
LOCAL : L O C A L ;
MATCH : M A T C H ;
MATERIALIZED : M A T E R I A L I Z E D ;
MAXVALUE : M A X V A L U E ;
MINVALUE : M I N V A L U E ;
NEW : N E W ;
NO : N O ;
NONE : N O N E ;
NOT : N O T ;
NOTNULL : N O T N U L L ;
NULL_P : N U L L ;
NULLS : N U L L S ;
OF : O F ;
OLD : O L D ;
ON : O N ;
OPTION : O P T I O N ;
OR : O R ;
OUT_P : O U T ;
OWNED : O W N E D ;
PARALLEL : P A R A L L E L ;
PARTIAL : P A R T I A L ;
PARTITION : P A R T I T I O N ;
POLICY : P O L I C Y ;
PRECISION : P R E C I S I O N ;
PRIMARY : P R I M A R Y ;
PRIVILEGES : P R I V I L E G E S ;
PROCEDURE : P R O C E D U R E ;
RANGE : R A N G E ;
REFERENCES : R E F E R E N C E S ;
REFERENCING : R E F E R E N C I N G ;
RENAMED : R E N A M E D ;
RESTRICT : R E S T R I C T ;
RETURNS : R E T U R N S ;
ROW : R O W ;
ROWS : R O W S ;
SCHEMA : S C H E M A ;
SECURITY : S E C U R I T Y ;
SELECT : S E L E C T ;
SEQUENCE : S E Q U E N C E ;
SET : S E T ;
SETOF : S E T O F ;
SIMILAR : S I M I L A R ;
SIMPLE : S I M P L E ;
STABLE : S T A B L E ;
START : S T A R T ;
STATEMENT : S T A T E M E N T ;
STORED : S T O R E D ;
STRICT : S T R I C T ;
TABLE : T A B L E ;
THEN : T H E N ;
TIME : T I M E ;
TIMESTAMP : T I M E S T A M P ;
TO : T O ;
TRIGGER : T R I G G E R ;
TRUE_P : T R U E ;
TRUNCATE : T R U N C A T E ;
TYPE : T Y P E ;
UNIQUE : U N I Q U E ;
UNLOGGED : U N L O G G E D ;
UPDATE : U P D A T E ;
USING : U S I N G ;
VALID : V A L I D ;
VALUES : V A L U E S ;
VARIADIC : V A R I A D I C ;
VARYING : V A R Y I N G ;
VERSION : V E R S I O N ;
VIEW : V I E W ;
VOLATILE : V O L A T I L E ;
WHEN : W H E N ;
WHERE : W H E R E ;
WITH : W I T H ;
WITHOUT : W I T H O U T ;
ZONE : Z O N E ;

LPAREN : '(' ;
RPAREN : ')' ;
LBRACK : '[' ;
RBRACK : ']' ;
LBRACE : '{' ;
RBRACE : '}' ;
COMMA : ',' ;
SEMI : ';' ;
DCOLON : '::' ;
COLON : ':' ;
DOT : '.' ;

LINE_COMMENT : '--' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' { ConsumeBlockComment(); } ;

EQ : '=' ;
// As in PostgreSQL, `--` and `/*` never occur inside an operator: they start comments.
OP : ( [+*<>=~!@#%^&|`?] | '-' {_input->LA(1) != '-'}? | '/' {_input->LA(1) != '*'}? )+ ;

// 'it''s'; E'escapes\n'
STRING : '\'' ( ~'\'' | '\'\'' )* '\'' ;
ESCAPE_STRING : [eE] '\'' ( '\\' . | '\'\'' | ~['\\] )* '\'' ;
UNTERMINATED_STRING : [eE]? '\'' ( ~'\'' | '\'\'' )* EOF ;
DOLLAR_STRING : '$' DOLLAR_TAG? '$' { ConsumeDollarBody(); } ;
fragment DOLLAR_TAG : [a-zA-Z_\u0080-\uFFFF] [a-zA-Z_0-9\u0080-\uFFFF]* ;
PARAM : '$' [0-9]+ ;

NUMBER
  : [0-9]+ ( '.' [0-9]* )? ( [eE] [+-]? [0-9]+ )?
  | '.' [0-9]+ ( [eE] [+-]? [0-9]+ )?
  ;

IDENT : [a-zA-Z_\u0080-\uFFFF] [a-zA-Z_0-9$\u0080-\uFFFF]* ;
QIDENT : '"' ( ~'"' | '""' )+ '"' ;
UNTERMINATED_QIDENT : '"' ( ~'"' | '""' )* EOF ;

WS : [ \t\r\n\f]+ -> skip ;

// Anything else is an error the parser reports in words.
ERROR_CHAR : . ;

fragment A : [aA] ;
fragment B : [bB] ;
fragment C : [cC] ;
fragment D : [dD] ;
fragment E : [eE] ;
fragment F : [fF] ;
fragment G : [gG] ;
fragment H : [hH] ;
fragment I : [iI] ;
fragment J : [jJ] ;
fragment K : [kK] ;
fragment L : [lL] ;
fragment M : [mM] ;
fragment N : [nN] ;
fragment O : [oO] ;
fragment P : [pP] ;
fragment Q : [qQ] ;
fragment R : [rR] ;
fragment S : [sS] ;
fragment T : [tT] ;
fragment U : [uU] ;
fragment V : [vV] ;
fragment W : [wW] ;
fragment X : [xX] ;
fragment Y : [yY] ;
fragment Z : [zZ] ;
