using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace AllianceFhir.Storage.Tests.SqlServer;

/// <summary>
/// How one query block (a SELECT, or the FROM/WHERE of an UPDATE or DELETE) reaches one table.
/// </summary>
/// <param name="Equalities">Columns the block fixes from outside the table: compared with <c>=</c> or <c>IN</c> to a
/// parameter, a literal, a subquery, or a column of an enclosing block (a correlated subquery gets that value per outer
/// row). An OR contributes what all its branches fix.</param>
/// <param name="JoinEqualities">Columns equated with a column of another table in the same FROM: usable for a seek only
/// when the planner reads that other table first.</param>
/// <param name="Ranges">Columns compared with &lt;, &gt;, &lt;=, &gt;= or LIKE: they can continue a seek after the equalities.</param>
public sealed record TableAccess(
    string Table,
    string Alias,
    IReadOnlySet<string> Equalities,
    IReadOnlySet<string> JoinEqualities,
    IReadOnlySet<string> Ranges);

/// <summary>
/// Finds every table access in a parsed T-SQL script, with the columns its predicates give an index to seek on.
/// Derived tables and table-valued functions (OPENJSON) are not tables; their inner SELECTs are visited on their own.
/// </summary>
public sealed class TableAccesses : TSqlFragmentVisitor
{
    public List<TableAccess> Found { get; } = [];

    public static List<TableAccess> In(TSqlFragment script)
    {
        var visitor = new TableAccesses();
        script.Accept(visitor);
        return visitor.Found;
    }

    public override void ExplicitVisit(QuerySpecification node)
    {
        Analyse(node.FromClause, node.WhereClause?.SearchCondition);
        base.ExplicitVisit(node);
    }

    public override void ExplicitVisit(UpdateSpecification node)
    {
        Analyse(node.FromClause, node.WhereClause?.SearchCondition, node.Target);
        base.ExplicitVisit(node);
    }

    public override void ExplicitVisit(DeleteSpecification node)
    {
        Analyse(node.FromClause, node.WhereClause?.SearchCondition, node.Target);
        base.ExplicitVisit(node);
    }

    private void Analyse(FromClause? from, BooleanExpression? where, TableReference? target = null)
    {
        var tables = new List<(string Table, string Alias)>();
        var conditions = new List<BooleanExpression>();
        if (from is not null)
        {
            foreach (var reference in from.TableReferences)
            {
                Collect(reference, tables, conditions);
            }
        }
        else if (target is not null)
        {
            Collect(target, tables, conditions);
        }

        if (tables.Count == 0)
        {
            return;
        }

        if (where is not null)
        {
            conditions.Add(where);
        }

        var aliases = tables.Select(t => t.Alias).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var facts = new Facts();
        foreach (var condition in conditions)
        {
            facts.Add(Conjunction(condition, aliases, tables.Count == 1 ? tables[0].Alias : null));
        }

        foreach (var (table, alias) in tables)
        {
            Found.Add(new TableAccess(
                table,
                alias,
                Facts.Columns(facts.Equal, alias),
                Facts.Columns(facts.Joined, alias),
                Facts.Columns(facts.Range, alias)));
        }
    }

    private static void Collect(TableReference reference, List<(string, string)> tables, List<BooleanExpression> conditions)
    {
        switch (reference)
        {
            case NamedTableReference named:
                var name = named.SchemaObject.BaseIdentifier.Value;
                tables.Add((name, named.Alias?.Value ?? name));
                break;
            case QualifiedJoin join:
                Collect(join.FirstTableReference, tables, conditions);
                Collect(join.SecondTableReference, tables, conditions);
                conditions.Add(join.SearchCondition);
                break;
            case UnqualifiedJoin join:
                Collect(join.FirstTableReference, tables, conditions);
                Collect(join.SecondTableReference, tables, conditions);
                break;
            case JoinParenthesisTableReference parenthesis:
                Collect(parenthesis.Join, tables, conditions);
                break;
        }
    }

    /// <summary>What one boolean expression, taken as true, fixes.</summary>
    private static Facts Conjunction(BooleanExpression expression, HashSet<string> aliases, string? onlyAlias)
    {
        var facts = new Facts();
        switch (expression)
        {
            case BooleanParenthesisExpression parenthesis:
                return Conjunction(parenthesis.Expression, aliases, onlyAlias);
            case BooleanBinaryExpression { BinaryExpressionType: BooleanBinaryExpressionType.And } and:
                facts.Add(Conjunction(and.FirstExpression, aliases, onlyAlias));
                facts.Add(Conjunction(and.SecondExpression, aliases, onlyAlias));
                break;
            case BooleanBinaryExpression { BinaryExpressionType: BooleanBinaryExpressionType.Or } or:
                return Facts.Common(Conjunction(or.FirstExpression, aliases, onlyAlias), Conjunction(or.SecondExpression, aliases, onlyAlias));
            case BooleanComparisonExpression comparison:
                var left = Column(comparison.FirstExpression, aliases, onlyAlias);
                var right = Column(comparison.SecondExpression, aliases, onlyAlias);
                if (comparison.ComparisonType == BooleanComparisonType.Equals)
                {
                    if (left is { Local: true } && right is { Local: true })
                    {
                        facts.Joined.Add(left.Value.Key);
                        facts.Joined.Add(right.Value.Key);
                    }
                    else
                    {
                        foreach (var side in new[] { left, right }.Where(c => c is { Local: true }))
                        {
                            facts.Equal.Add(side!.Value.Key);
                        }
                    }
                }
                else if (comparison.ComparisonType is BooleanComparisonType.GreaterThan or BooleanComparisonType.GreaterThanOrEqualTo
                         or BooleanComparisonType.LessThan or BooleanComparisonType.LessThanOrEqualTo)
                {
                    foreach (var side in new[] { left, right }.Where(c => c is { Local: true }))
                    {
                        facts.Range.Add(side!.Value.Key);
                    }
                }

                break;
            case InPredicate { NotDefined: false } @in when Column(@in.Expression, aliases, onlyAlias) is { Local: true } column:
                facts.Equal.Add(column.Key);
                break;
            case LikePredicate { NotDefined: false } like when Column(like.FirstExpression, aliases, onlyAlias) is { Local: true } column:
                facts.Range.Add(column.Key);
                break;
        }

        return facts;
    }

    /// <summary>A column reference: its (alias, column) key, and whether the alias is one of this block's tables.</summary>
    private static (string Key, bool Local)? Column(ScalarExpression expression, HashSet<string> aliases, string? onlyAlias)
    {
        while (expression is ParenthesisExpression parenthesis)
        {
            expression = parenthesis.Expression;
        }

        if (expression is not ColumnReferenceExpression { MultiPartIdentifier: { } identifier })
        {
            return null;
        }

        var parts = identifier.Identifiers;
        var alias = parts.Count >= 2 ? parts[^2].Value : onlyAlias;
        return alias is null ? null : (Key(alias, parts[^1].Value), aliases.Contains(alias));
    }

    private static string Key(string alias, string column) => alias.ToLowerInvariant() + "\u0001" + column;

    private sealed class Facts
    {
        public HashSet<string> Equal { get; } = [];

        public HashSet<string> Joined { get; } = [];

        public HashSet<string> Range { get; } = [];

        public void Add(Facts other)
        {
            Equal.UnionWith(other.Equal);
            Joined.UnionWith(other.Joined);
            Range.UnionWith(other.Range);
        }

        public static Facts Common(Facts a, Facts b)
        {
            var common = new Facts();
            common.Equal.UnionWith(a.Equal.Intersect(b.Equal));
            common.Joined.UnionWith(a.Joined.Intersect(b.Joined));
            common.Range.UnionWith(a.Range.Union(a.Equal).Intersect(b.Range.Union(b.Equal)).Except(common.Equal));
            return common;
        }

        public static HashSet<string> Columns(HashSet<string> keys, string alias)
        {
            var prefix = alias.ToLowerInvariant() + "\u0001";
            return keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k[prefix.Length..]).ToHashSet(StringComparer.OrdinalIgnoreCase);
        }
    }
}
