/** A Glue (Hive) column type the catalog cannot express offline, with the type named. */
export class UnsupportedColumnTypeError extends Error {
  public override readonly name = 'UnsupportedColumnTypeError';
}

/** Hive's primitive types and the DuckDB type each reads as. */
const PRIMITIVES: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  varchar: 'VARCHAR',
  char: 'VARCHAR',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  int: 'INTEGER',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  binary: 'BLOB',
};

/** Reads one Hive type from a text, left to right. */
class TypeReader {
  private at = 0;

  constructor(private readonly text: string) {}

  public whole(): string {
    const type = this.type();
    this.space();
    if (this.at < this.text.length) throw this.error(`unexpected "${this.text.slice(this.at)}"`);
    return type;
  }

  private type(): string {
    const name = this.word().toLowerCase();
    if (name === 'array') {
      this.expect('<');
      const element = this.type();
      this.expect('>');
      return `${element}[]`;
    }
    if (name === 'map') {
      this.expect('<');
      const key = this.type();
      this.expect(',');
      const value = this.type();
      this.expect('>');
      return `MAP(${key}, ${value})`;
    }
    if (name === 'struct') {
      this.expect('<');
      const fields: string[] = [];
      for (;;) {
        const field = this.word();
        this.expect(':');
        // JsonSerDe matches keys case-insensitively; the mirror lower-cases every key, so fields are too.
        fields.push(`"${field.toLowerCase().replace(/"/g, '""')}" ${this.type()}`);
        if (this.peek() === '>') break;
        this.expect(',');
      }
      this.expect('>');
      return `STRUCT(${fields.join(', ')})`;
    }
    if (name === 'decimal') {
      if (this.peek() !== '(') return 'DECIMAL(10,0)'; // Hive's default precision and scale
      const [p, s = '0'] = this.arguments();
      if (Number(p) < 1 || Number(p) > 38 || Number(s) > Number(p)) {
        throw this.error(`decimal(${p},${s}) needs 1 ≤ precision ≤ 38 and scale ≤ precision`);
      }
      return `DECIMAL(${p},${s})`;
    }
    const primitive = PRIMITIVES[name];
    if (primitive === undefined) throw this.error(`"${name}" is not a Glue column type`);
    if ((name === 'varchar' || name === 'char') && this.peek() === '(') this.arguments();
    return primitive;
  }

  private arguments(): string[] {
    this.expect('(');
    const start = this.at;
    while (this.at < this.text.length && this.text[this.at] !== ')') this.at += 1;
    const inside = this.text.slice(start, this.at);
    this.expect(')');
    const parts = inside.split(',').map((x) => x.trim());
    if (parts.some((x) => !/^\d+$/.test(x))) throw this.error(`bad type arguments (${inside})`);
    return parts;
  }

  private word(): string {
    this.space();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.at));
    if (!match) throw this.error('a type name was expected');
    this.at += match[0].length;
    return match[0];
  }

  private peek(): string | undefined {
    this.space();
    return this.text[this.at];
  }

  private expect(char: string): void {
    if (this.peek() !== char) throw this.error(`"${char}" was expected`);
    this.at += 1;
  }

  private space(): void {
    while (this.text[this.at] === ' ') this.at += 1;
  }

  private error(what: string): UnsupportedColumnTypeError {
    return new UnsupportedColumnTypeError(`column type "${this.text}": ${what} at position ${this.at + 1}`);
  }
}

/**
 * The DuckDB type a Glue column type reads as: `string`, `varchar(n)`, `char(n)`, `tinyint`, `smallint`,
 * `int`/`integer`, `bigint`, `float`, `double`, `decimal(p,s)`, `boolean`, `date`, `timestamp`, `binary`,
 * `array<…>`, `map<…,…>`, `struct<name:type,…>` (field names lower-cased, as the data's keys are).
 * @throws UnsupportedColumnTypeError naming the type, for anything else
 */
export function duckDbType(glueType: string): string {
  return new TypeReader(glueType.trim()).whole();
}
