/// Warden's own schema, one migration per change, never edited once released.
public enum WardenSchema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "instance", sql: """
            CREATE TABLE instance (
                id TEXT PRIMARY KEY,
                created_at TEXT NOT NULL
            );
            INSERT INTO instance (id, created_at)
                VALUES (lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
            """),
    ]
}
