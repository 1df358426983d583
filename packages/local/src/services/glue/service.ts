import type { ServiceState } from '../../core/services.js';

/** A column as the Glue catalog keeps it: the name lower-cased, as Glue stores it. */
export interface GlueColumn {
  readonly Name: string;
  readonly Type: string;
  readonly Comment?: string;
}

/** A Glue database, resolved. */
export interface GlueDatabase {
  readonly Name: string;
  readonly Description?: string;
  readonly LocationUri?: string;
  readonly Parameters: Readonly<Record<string, string>>;
}

/** A Glue table's `TableInput`, resolved, with the names lower-cased as Glue keeps them. */
export interface GlueTable {
  readonly DatabaseName: string;
  readonly Name: string;
  readonly TableType?: string;
  readonly Description?: string;
  readonly Parameters: Readonly<Record<string, string>>;
  readonly PartitionKeys: readonly GlueColumn[];
  readonly StorageDescriptor: {
    readonly Location: string;
    readonly Columns: readonly GlueColumn[];
    readonly InputFormat?: string;
    readonly OutputFormat?: string;
    readonly SerdeInfo: {
      readonly SerializationLibrary?: string;
      readonly Parameters: Readonly<Record<string, string>>;
    };
  };
}

/** A catalog entry that is missing or named twice. */
export class GlueCatalogError extends Error {
  public override readonly name = 'GlueCatalogError';
}

/**
 * The Glue Data Catalog of one runtime: the databases and tables of the templates, resolved. Glue keeps
 * database, table and column names in lower case, and so does this catalog; lookups ignore case.
 */
export class GlueService implements ServiceState {
  private readonly databases = new Map<string, GlueDatabase>();
  private readonly tablesByDb = new Map<string, Map<string, GlueTable>>();

  /** Records a database; its name lower-cased. */
  public addDatabase(database: GlueDatabase): GlueDatabase {
    const name = database.Name.toLowerCase();
    if (this.databases.has(name)) throw new GlueCatalogError(`Glue database ${name} already exists`);
    const kept = { ...database, Name: name };
    this.databases.set(name, kept);
    this.tablesByDb.set(name, new Map());
    return kept;
  }

  /** Records a table of a database the catalog has; names lower-cased. */
  public addTable(table: GlueTable): GlueTable {
    const db = table.DatabaseName.toLowerCase();
    const tables = this.tablesByDb.get(db);
    if (!tables) throw new GlueCatalogError(`Glue database ${db} does not exist (table ${table.Name})`);
    const name = table.Name.toLowerCase();
    if (tables.has(name)) throw new GlueCatalogError(`Glue table ${db}.${name} already exists`);
    const lower = (c: GlueColumn): GlueColumn => ({ ...c, Name: c.Name.toLowerCase() });
    const kept: GlueTable = {
      ...table,
      DatabaseName: db,
      Name: name,
      PartitionKeys: table.PartitionKeys.map(lower),
      StorageDescriptor: { ...table.StorageDescriptor, Columns: table.StorageDescriptor.Columns.map(lower) },
    };
    tables.set(name, kept);
    return kept;
  }

  /** A database by name, in any case. */
  public database(name: string): GlueDatabase | undefined {
    return this.databases.get(name.toLowerCase());
  }

  /** A table by database and name, in any case. */
  public table(database: string, name: string): GlueTable | undefined {
    return this.tablesByDb.get(database.toLowerCase())?.get(name.toLowerCase());
  }

  /** Forgets the catalog: it lives as long as the runtime. */
  // eslint-disable-next-line @typescript-eslint/require-await
  public async stop(): Promise<void> {
    this.databases.clear();
    this.tablesByDb.clear();
  }

  /** Every database, by name. */
  public databaseNames(): string[] {
    return [...this.databases.keys()].sort();
  }

  /** Every table of a database, by name. */
  public tables(database: string): GlueTable[] {
    return [...(this.tablesByDb.get(database.toLowerCase())?.values() ?? [])].sort((a, b) =>
      a.Name.localeCompare(b.Name),
    );
  }
}
