// check.test.mjs - the ownership check fails on reach-ins: small trees with one module
// touching another's table in each of the ways the check knows, and one clean tree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';

import {check} from './check.mjs';

const MIGRATION = `
CREATE TABLE IF NOT EXISTS users (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(254) NOT NULL,
  name VARCHAR(200) NOT NULL,
  password_hash VARCHAR(255) NULL,
  KEY users_email (email)
) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS posts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  body TEXT NOT NULL
) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS cards (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  title VARCHAR(200) NOT NULL
) ENGINE=InnoDB;
ALTER TABLE users ADD COLUMN IF NOT EXISTS handle VARCHAR(64) NULL;
`;
const OWNERS = `
shared users(id, name, handle)
module identity
  files  portal/users.c
  tables users
module feed
  files  portal/feed.c
  tables posts
module boards
  files  portal/b*.c
  tables cards
`;
// A clean feed module: its own table, the users dimension, SQL-looking prose and comments.
const FEED = `/* feed.c - SELECT * FROM cards in a comment is no SQL */
#define POST_FROM " FROM posts p JOIN users u ON u.id = p.user_id"
static const char sql_list[] = "SELECT p.id, p.body, u.name, u.handle" POST_FROM
                               " WHERE p.id > ? ORDER BY p.id";
static const char msg[] = "Choose from cards on the left"; // prose: lower case
static const char sql_names[] = "SELECT name FROM users WHERE id = ?";
`;

const roots = [];
process.on('exit', () => roots.forEach(r => fs.rmSync(r, {recursive: true, force: true})));

function tree(files) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'owners-'));
    roots.push(root);
    const all = {'portal/sql/0001_x.sql': MIGRATION, 'portal/sql/OWNERS': OWNERS,
                 'portal/users.c': 'static const char s[] = "SELECT password_hash FROM users";\n',
                 'portal/feed.c': FEED, 'portal/boards.c': '', ...files};
    for (const [f, text] of Object.entries(all)) {
        fs.mkdirSync(path.dirname(path.join(root, f)), {recursive: true});
        fs.writeFileSync(path.join(root, f), text);
    }
    return root;
}

test('a clean tree passes', () => {
    assert.deepEqual(check(tree({})), []);
});

test('a module reading another module\'s table fails with file:line, table and owner', () => {
    const c = `int x;\nstatic const char sql_a[] =\n    "SELECT c.id FROM posts p"\n    " JOIN cards c ON c.id = p.id";\n`;
    assert.deepEqual(check(tree({'portal/feed.c': FEED + c})),
                     ['portal/feed.c:9: module feed uses table cards, owned by boards']);
});

test('subqueries, function-like macros and every verb are seen', () => {
    const c = `#define MINE(x) " AND EXISTS (SELECT 1 FROM cards k WHERE k.id = " x ")"
static const char a[] = "SELECT id FROM posts WHERE 1" MINE("posts.id");
static const char b[] = "DELETE FROM cards WHERE id = ?";
static const char d[] = "INSERT INTO cards (title) VALUES (?)";
static const char e[] = "UPDATE cards SET title = ?";
static const char f[] = "SELECT p.id FROM posts p, cards c WHERE c.id = p.id";
`;
    const got = check(tree({'portal/feed.c': c}));
    assert.deepEqual(got, [2, 3, 4, 5, 6].map(l => `portal/feed.c:${l}: module feed uses table cards, owned by boards`));
});

test('a dimension column beyond the shared ones fails, qualified or not', () => {
    const c = `static const char a[] = "SELECT p.id, u.email FROM posts p JOIN users u ON u.id = p.user_id";
static const char b[] = "SELECT id, password_hash FROM users WHERE name = ?";
static const char ok[] = "SELECT users.name FROM posts JOIN users ON users.id = posts.user_id";
`;
    assert.deepEqual(check(tree({'portal/feed.c': c})), [
        'portal/feed.c:1: module feed reads users.email, owned by identity (shared: id, name, handle)',
        'portal/feed.c:2: module feed reads users.password_hash, owned by identity (shared: id, name, handle)',
    ]);
});

test('writing a dimension fails', () => {
    const c = `static const char a[] = "UPDATE users SET name = ? WHERE id = ?";\n`;
    assert.deepEqual(check(tree({'portal/feed.c': c})),
                     ['portal/feed.c:1: module feed writes users, owned by identity (shared for reading only)']);
});

test('a table of the migrations without an owner fails, and so does an unlisted file', () => {
    const got = check(tree({'portal/sql/0002_y.sql': 'CREATE TABLE IF NOT EXISTS likes (\n  id BIGINT\n) ENGINE=InnoDB;\n',
                            'chat/tail.c': 'static const char s[] = "SELECT body FROM posts";\n'}));
    assert.deepEqual(got, ['portal/sql/0002_y.sql: table likes has no owner in portal/sql/OWNERS',
                           'chat/tail.c:1: uses table posts (owner feed), but the file is in no module']);
});
