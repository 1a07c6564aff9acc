// The WHERE clause of a query built from optional filters, with named parameters (better-sqlite3's @name):
// the ticket lists and the knowledge base's search build theirs with it.

export class SqlFilter {
  readonly conditions: string[] = [];
  readonly params: Record<string, unknown> = {};

  /** A condition with the parameters it names. */
  where(condition: string, params: Record<string, unknown> = {}): this {
    this.conditions.push(condition);
    Object.assign(this.params, params);
    return this;
  }

  /** A condition that must come first (an FTS5 MATCH, so SQLite drives the query from the index). */
  first(condition: string, params: Record<string, unknown> = {}): this {
    this.conditions.unshift(condition);
    Object.assign(this.params, params);
    return this;
  }

  /** `column = @name`, unless `value` is absent (undefined, null or empty text). */
  equal(column: string, name: string, value: unknown): this {
    return value === undefined || value === null || value === '' ? this : this.where(`${column} = @${name}`, { [name]: value });
  }

  /** `column IN (@name0, @name1, …)`, unless `values` is absent or empty. */
  oneOf(column: string, name: string, values: readonly unknown[] | undefined): this {
    if (!values || values.length === 0) return this;
    const params = Object.fromEntries(values.map((v, i) => [`${name}${i}`, v]));
    return this.where(`${column} IN (${values.map((_, i) => `@${name}${i}`).join(', ')})`, params);
  }

  /** The conditions joined with AND after `keyword` ('WHERE', or 'AND' to extend a clause); '' when there are none. */
  sql(keyword: 'WHERE' | 'AND' = 'WHERE'): string {
    return this.conditions.length > 0 ? `${keyword} ${this.conditions.join(' AND ')}` : '';
  }
}
