#!/usr/bin/perl
# test/sql_in_c.pl -- every SQL text the C code sends is schema-qualified down to its operators.
#
# Reads src/*.c, joins adjacent C string literals into one text, keeps the texts that are SQL
# statements (they start with SELECT, INSERT, UPDATE, DELETE, WITH or LOCK), and reports every
# operator that is not written OPERATOR(pg_catalog.op): an unqualified operator is resolved
# through the caller's search_path, where a hostile schema could define its own.  Assignments
# of UPDATE ... SET (also a "%s%s = ..." SET entry built apart), named arguments (=>) and the
# star of SELECT * / count(*) are not operators; OPERATOR(%s.%s) is qualified by the C (the
# default equality operator of a user column's type, merge_references.c MergeEqOperator).
# Prints "file:line: operator 'op' in: ..." per finding and "sql_in_c: N statements, M findings";
# exits 1 when there is a finding.
use strict;
use warnings;

my ($statements, $findings) = (0, 0);
for my $file (sort glob("src/*.c")) {
    open(my $fh, '<', $file) or die "$file: $!";
    my @lines = <$fh>;
    close $fh;
    my $text = join('', @lines);
    $text =~ s{\\\n}{ \n}g;    # #define continuation lines joined
    $text =~ s{/\*.*?\*/}{ my $c = $&; $c =~ s/[^\n]/ /g; $c }gse;    # comments out, lines kept
    # runs of adjacent string literals (separated only by white space)
    while ($text =~ /((?:"(?:[^"\\\n]|\\.)*"\s*)+)/g) {
        my ($run, $start) = ($1, $-[1]);
        my $line = 1 + (substr($text, 0, $start) =~ tr/\n//);
        my $sql = join('', map { my $s = $_; $s =~ s/\\"/"/g; $s =~ s/\\n/ /g; $s } ($run =~ /"((?:[^"\\\n]|\\.)*)"/g));
        # a statement, or a fragment of one (upper-case key words, as the code writes SQL)
        next unless $sql =~ /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|LOCK)\b/i
            || $sql =~ /\b(WHERE|AND|OR|FROM|JOIN|SET|BETWEEN|CASE|THEN|VALUES|RETURNING)\b|OPERATOR\(/;
        # a message that shows SQL to the user is not SQL the code runs
        next if substr($text, 0, $start) =~ /\berr(?:hint|detail|msg|context)\s*\(\s*$/;
        # nor is the description of a setting (DefineCustom*Variable's arguments)
        next if substr($text, 0, $start) =~ /\bDefineCustom\w+Variable\s*\([^;]*$/;
        $statements++;
        for my $op (operators($sql)) {
            my $short = length($sql) > 90 ? substr($sql, 0, 90) . '...' : $sql;
            print "$file:$line: operator '$op' in: $short\n";
            $findings++;
        }
    }
}
print "sql_in_c: $statements statements, $findings findings\n";
exit($findings ? 1 : 0);

sub operators {
    my ($sql) = @_;
    $sql =~ s/'(?:[^']|'')*'/ 'lit' /g;                   # SQL string literals
    $sql =~ s/"(?:[^"]|"")*"/ ident /g;                   # quoted identifiers
    $sql =~ s/^(\s*%s%s) = / $1 , /;                     # an entry of a SET list built apart
    $sql =~ s/OPERATOR\s*\(\s*pg_catalog\.[^)]*\)/ op /gi;
    $sql =~ s/OPERATOR\(%s\.%s\)/ op /g;                 # schema and name spliced in by the C
    $sql =~ s/%[-0-9.]*[a-z]+/ fmt /g;                    # printf placeholders
    $sql =~ s/::\s*[\w.]+(\[\])?/ /g;                      # casts
    $sql =~ s/=>|:=/ , /g;                                # named arguments, assignments
    my @found;
    # constructs that look an operator up by name without a way to qualify it
    push @found, 'BETWEEN' while $sql =~ /\bBETWEEN\b/gi;
    push @found, 'LIKE' while $sql =~ /\b(?:I?LIKE|SIMILAR\s+TO)\b/gi;
    push @found, 'IS DISTINCT FROM' while $sql =~ /\bDISTINCT\s+FROM\b/gi;
    push @found, 'IN (...)' while $sql =~ /\bIN\s*\(/gi;
    push @found, 'CASE x WHEN' while $sql =~ /\bCASE\s+(?!WHEN\b)[\w.\$]+\s+WHEN\b/gi;
    while ($sql =~ /(\S+)\s*\b(?:ANY|ALL|SOME)\s*\(/gi) { push @found, "$1 ANY" unless $1 eq 'op' }
    my %kw = map { $_ => 1 } qw(SELECT FROM WHERE AND OR NOT IN EXISTS VALUES COALESCE NULLIF GREATEST LEAST CASE WHEN THEN ELSE END AS ON JOIN USING ANY ALL SOME ROW ARRAY CAST OVER FILTER WITHIN LATERAL INTO SET RETURNING WITH UPDATE INSERT DELETE GROUP BY ORDER HAVING LIMIT OFFSET DISTINCT UNION EXCEPT INTERSECT ROWS op FOR KEY SHARE NOWAIT CONFLICT DO NOTHING TABLE OF IS NULL LOCK MODE IN_ unnest_ numeric varchar char character timestamp timestamptz interval text int int4 int8 integer bigint date bool boolean CURRENT_DATE INTERVAL ident lit fmt EXCLUDED);
    while ($sql =~ /(?<![\w.])([A-Za-z_]\w*)\s*\(/g) { my $f = $1; push @found, "function $f()" unless $kw{uc $f} || $kw{$f} || $f =~ /^[a-z]$/ || $sql =~ /\b\Q$f\E\s+AS\s*\(/ }
    my @tokens = ($sql =~ /([A-Za-z_][\w.\$]*|\$\d+|\d+(?:\.\d+)?|[-+*\/<>=~!@#%^&|`?]+|[(),;\[\]])/g);
    my $in_set = 0;     # inside the SET list of an UPDATE
    my $depth = 0;
    my $set_depth = 0;
    for my $i (0 .. $#tokens) {
        my $t = $tokens[$i];
        my $prev = $i > 0 ? $tokens[$i - 1] : '';
        if ($t eq '(') { $depth++; next }
        if ($t eq ')') { $depth--; next }
        if ($t =~ /^SET$/i) { $in_set = 1; $set_depth = $depth; next }
        if ($in_set && $depth == $set_depth && $t =~ /^(FROM|WHERE|RETURNING)$/i) { $in_set = 0 }
        next unless $t =~ /^[-+*\/<>=~!@#%^&|`?]+$/;
        if ($t eq '=' && $in_set && $depth == $set_depth && ($prev =~ /^[A-Za-z_]/)) {
            my $before = $i > 1 ? $tokens[$i - 2] : '';
            next if $before =~ /^(SET|,)$/i;                 # col = value in the SET list
        }
        next if $t eq '*' && ($prev =~ /^(SELECT|,|\()$/i || $prev =~ /\.$/);   # SELECT *, count(*)
        next if $t eq '*' && $prev =~ /^[A-Za-z_]\w*\.$/;
        next if $t eq '-' && $tokens[$i + 1] && $tokens[$i + 1] =~ /^\d/ && $prev =~ /^(\(|,|=|VALUES|THEN|ELSE|op)$/i;
        push @found, $t;
    }
    return @found;
}
