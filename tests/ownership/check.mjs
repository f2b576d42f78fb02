// check.mjs - table ownership (portal/sql/OWNERS): fails when a module's SQL reads or
// writes a table another module owns, beyond the shared dimension columns, or when a
// table of the migrations has no owner. Run: node tests/ownership/check.mjs [root].
//
// How exact it is. The SQL of a C file is its string literals after a small preprocessor
// (object and function-like #defines of the file and of every project header expanded;
// adjacent literals joined into one statement, reported at its first line). A table is
// named after FROM, JOIN, INTO, UPDATE, TABLE, a comma in a FROM list, or DELETE ... FROM,
// subqueries included; only names of tables the migrations create count. A statement
// that writes (INSERT/REPLACE INTO, UPDATE, DELETE FROM, ALTER/TRUNCATE/DROP TABLE) a
// table writes the first one it names. Columns of a dimension table are caught when
// qualified (alias.col or table.col) and, unqualified, when no other table of the
// statement has a column of that name. Not seen: SQL built at run time from pieces
// that are not literals, and a column reached through an alias the parser missed.
import fs from 'node:fs';
import path from 'node:path';

const KEYWORDS = new Set(`select from join left right inner outer cross straight_join on
using where and or not in is null as group by order having limit offset union all distinct
insert into values value update set delete replace ignore duplicate key exists case when
then else end asc desc for share lock mode like between interval second minute hour day
with recursive over partition window natural lateral true false default row rows current
escape regexp rlike div mod xor collate binary unsigned signed char json_table columns path
nested ordinality table`.split(/\s+/).filter(Boolean));

export function parseOwners(text) {
    const modules = [], shared = new Map(), errors = [];
    let cur = null;
    text.split('\n').forEach((raw, i) => {
        const line = raw.replace(/#.*/, '').trim();
        if (!line)
            return;
        let m;
        if ((m = line.match(/^shared\s+(\w+)\s*\(([^)]*)\)$/)))
            shared.set(m[1], new Set(m[2].split(',').map(s => s.trim()).filter(Boolean)));
        else if ((m = line.match(/^module\s+([\w-]+)$/)))
            modules.push((cur = {name: m[1], files: [], tables: new Set()}));
        else if (cur && (m = line.match(/^files\s+(.+)$/)))
            cur.files.push(...m[1].split(/\s+/));
        else if (cur && (m = line.match(/^tables\s+(.+)$/)))
            m[1].split(/\s+/).forEach(t => cur.tables.add(t));
        else
            errors.push(`OWNERS:${i + 1}: cannot read "${raw.trim()}"`);
    });
    return {modules, shared, errors};
}

function globRe(glob) {
    return new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '$');
}

// Tables and their columns from the migrations (CREATE TABLE, ALTER TABLE ... ADD COLUMN).
export function parseSchema(sqlDir) {
    const tables = new Map();
    for (const f of fs.readdirSync(sqlDir).filter(f => f.endsWith('.sql')).sort()) {
        const text = fs.readFileSync(path.join(sqlDir, f), 'utf8').replace(/--.*$/gm, '');
        for (const m of text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?`?(\w+)`?\s*\(([\s\S]*?)\)\s*ENGINE/g)) {
            const cols = new Set();
            for (const l of m[2].split('\n')) {
                const c = l.trim().match(/^`?(\w+)`?\s+[A-Z]/);
                if (c && !/^(PRIMARY|KEY|UNIQUE|CONSTRAINT|INDEX|FULLTEXT|FOREIGN|CHECK)$/.test(c[1]))
                    cols.add(c[1]);
            }
            tables.set(m[1], {cols, file: f});
        }
        for (const m of text.matchAll(/ALTER TABLE `?(\w+)`?([^;]*);/g))
            for (const c of m[2].matchAll(/ADD COLUMN (?:IF NOT EXISTS )?`?(\w+)`?/g))
                tables.get(m[1])?.cols.add(c[1]);
    }
    return tables;
}

// --- a small C tokenizer and preprocessor ----------------------------------------------

function tokenize(src) {
    const toks = [], defines = [];
    let i = 0, line = 1, bol = true;
    const n = src.length;
    while (i < n) {
        const c = src[i];
        if (c === '\n') {
            line++, i++, bol = true;
            continue;
        }
        if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
            i++;
            continue;
        }
        if (c === '/' && src[i + 1] === '/') {
            while (i < n && src[i] !== '\n')
                i++;
            continue;
        }
        if (c === '/' && src[i + 1] === '*') {
            const e = src.indexOf('*/', i + 2);
            const end = e < 0 ? n : e + 2;
            line += (src.slice(i, end).match(/\n/g) || []).length;
            i = end;
            continue;
        }
        if (c === '#' && bol) { // a directive: up to the end of the (continued) line
            let j = i, text = '';
            const start = line;
            while (j < n && src[j] !== '\n') {
                if (src[j] === '\\' && src[j + 1] === '\n')
                    j += 2, line++, text += ' ';
                else if (src[j] === '/' && src[j + 1] === '*') {
                    const e = src.indexOf('*/', j + 2);
                    line += (src.slice(j, e).match(/\n/g) || []).length;
                    j = e + 2, text += ' ';
                } else if (src[j] === '/' && src[j + 1] === '/') {
                    while (j < n && src[j] !== '\n')
                        j++;
                } else
                    text += src[j++];
            }
            i = j;
            const m = text.match(/^#\s*define\s+(\w+)(\(([^)]*)\))?(.*)$/s);
            if (m)
                defines.push({name: m[1], params: m[2] ? m[3].split(',').map(s => s.trim()).filter(Boolean) : null,
                              body: tokenize(m[4]).toks.map(t => ({...t, line: start}))});
            continue;
        }
        bol = false;
        if (c === '"' || c === "'") {
            let j = i + 1, s = '';
            while (j < n && src[j] !== c && src[j] !== '\n') {
                if (src[j] === '\\') {
                    const e = src[j + 1];
                    s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
                    j += 2;
                } else
                    s += src[j++];
            }
            toks.push({k: c === '"' ? 'str' : 'chr', v: s, line});
            i = j + 1;
            continue;
        }
        const w = src.slice(i).match(/^[A-Za-z_]\w*/);
        if (w) {
            toks.push({k: 'id', v: w[0], line});
            i += w[0].length;
            continue;
        }
        const num = src.slice(i).match(/^\d[\w.]*/);
        if (num) {
            toks.push({k: 'num', v: num[0], line});
            i += num[0].length;
            continue;
        }
        toks.push({k: 'p', v: c, line});
        i++;
    }
    return {toks, defines};
}

function expand(toks, macros, depth = 0, hide = new Set()) {
    if (depth > 20)
        return toks;
    const out = [];
    for (let i = 0; i < toks.length; i++) {
        const t = toks[i], m = t.k === 'id' && !hide.has(t.v) ? macros.get(t.v) : null;
        if (!m) {
            out.push(t);
            continue;
        }
        let body = m.body, next = i;
        if (m.params) {
            if (toks[i + 1]?.v !== '(') {
                out.push(t);
                continue;
            }
            const args = [[]];
            let d = 0, j = i + 2;
            for (; j < toks.length; j++) {
                const a = toks[j];
                if (a.v === '(' && a.k === 'p')
                    d++;
                else if (a.v === ')' && a.k === 'p' && d-- === 0)
                    break;
                if (a.v === ',' && a.k === 'p' && d === 0)
                    args.push([]);
                else
                    args[args.length - 1].push(a);
            }
            next = j;
            body = body.flatMap(b => {
                const p = b.k === 'id' ? m.params.indexOf(b.v) : -1;
                return p >= 0 ? args[p] || [] : [b];
            });
        }
        const h = new Set(hide).add(t.v);
        out.push(...expand(body, macros, depth + 1, h).map(b => ({...b, line: t.line})));
        i = next;
    }
    return out;
}

// Every run of adjacent string literals in a C file, as {line, text}.
export function sqlStrings(file, headerMacros) {
    const {toks, defines} = tokenize(fs.readFileSync(file, 'utf8'));
    const macros = new Map(headerMacros);
    for (const d of defines)
        macros.set(d.name, d);
    const all = expand(toks, macros), runs = [];
    for (let i = 0; i < all.length; i++) {
        if (all[i].k !== 'str')
            continue;
        const line = all[i].line;
        let text = '';
        while (i < all.length && all[i].k === 'str')
            text += all[i++].v;
        runs.push({line, text});
    }
    return runs;
}

// --- SQL ----------------------------------------------------------------------------

function stripQuoted(sql) {
    return sql.replace(/'(?:[^'\\]|\\.|'')*'/g, "''").replace(/`(\w+)`/g, '$1');
}

// The tables a statement names (with alias), which it writes, and the columns it uses.
export function analyse(sqlText, schema) {
    const sql = stripQuoted(sqlText);
    const refs = []; // {table, alias}
    const re = /\b(FROM|JOIN|INTO|UPDATE|TABLE)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi;
    let m;
    while ((m = re.exec(sql))) {
        if (!schema.has(m[2]))
            continue;
        const alias = m[3] && !KEYWORDS.has(m[3].toLowerCase()) ? m[3] : m[2];
        refs.push({table: m[2], alias, at: m.index});
    }
    // FROM a x, b y: the tables after commas in a FROM list
    for (const f of sql.matchAll(/\bFROM\s+([\w\s,]+?)(?=\bWHERE\b|\bJOIN\b|\bLEFT\b|\bGROUP\b|\bORDER\b|\bLIMIT\b|\)|$)/gi))
        for (const part of f[1].split(',').slice(1)) {
            const p = part.trim().split(/\s+/);
            if (schema.has(p[0]))
                refs.push({table: p[0], alias: p[p.length - 1] === p[0] || KEYWORDS.has(p[p.length - 1].toLowerCase()) ? p[0] : p[p.length - 1], at: f.index});
        }
    let written = null;
    const w = sql.match(/^\s*(?:INSERT|REPLACE)\b[^(]*?\bINTO\s+(\w+)/i) ||
              sql.match(/^\s*UPDATE\s+(\w+)/i) || sql.match(/^\s*DELETE\s+FROM\s+(\w+)/i) ||
              sql.match(/^\s*(?:ALTER|TRUNCATE|DROP)\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\w+)/i);
    if (w && schema.has(w[1]))
        written = w[1];
    const dw = sql.match(/^\s*DELETE\s+(\w+)\s+FROM\b/i);
    if (dw) {
        const r = refs.find(r => r.alias === dw[1]);
        if (r)
            written = r.table;
    }
    // columns: qualified ones by alias, unqualified ones resolved among the statement's tables
    const cols = []; // {table, col}
    const byAlias = new Map(refs.map(r => [r.alias, r.table]));
    for (const q of sql.matchAll(/\b(\w+)\.(\w+)\b/g)) {
        const t = byAlias.get(q[1]);
        if (t && q[2] !== '*')
            cols.push({table: t, col: q[2]});
    }
    const names = new Set(refs.map(r => r.table));
    const aliases = new Set(refs.map(r => r.alias));
    const asNames = new Set([...sql.matchAll(/\bAS\s+(\w+)/gi)].map(a => a[1]));
    for (const u of sql.matchAll(/(?<![.\w])(\w+)(?![.\w(])/g)) {
        const id = u[1];
        if (KEYWORDS.has(id.toLowerCase()) || aliases.has(id) || asNames.has(id) || /^\d/.test(id))
            continue;
        const owners = [...names].filter(t => schema.get(t).cols.has(id));
        if (owners.length === 1)
            cols.push({table: owners[0], col: id});
    }
    return {tables: [...names], written, cols};
}

export function check(root) {
    const problems = [];
    const owners = parseOwners(fs.readFileSync(path.join(root, 'portal/sql/OWNERS'), 'utf8'));
    problems.push(...owners.errors);
    const schema = parseSchema(path.join(root, 'portal/sql'));
    const ownerOf = new Map();
    for (const mod of owners.modules)
        for (const t of mod.tables) {
            if (ownerOf.has(t))
                problems.push(`OWNERS: table ${t} has two owners, ${ownerOf.get(t)} and ${mod.name}`);
            if (!schema.has(t))
                problems.push(`OWNERS: table ${t} (module ${mod.name}) is in no migration`);
            ownerOf.set(t, mod.name);
        }
    for (const [t, f] of schema)
        if (!ownerOf.has(t))
            problems.push(`portal/sql/${f.file}: table ${t} has no owner in portal/sql/OWNERS`);
    for (const [t, cols] of owners.shared)
        for (const c of cols)
            if (!schema.get(t)?.cols.has(c))
                problems.push(`OWNERS: shared ${t}(${c}): no such column`);

    const dirs = ['portal', 'chat', 'kb', 'client-cabinet'];
    const files = dirs.flatMap(d => fs.existsSync(path.join(root, d))
        ? fs.readdirSync(path.join(root, d)).filter(f => /\.[ch]$/.test(f)).map(f => `${d}/${f}`) : []).sort();
    const headerMacros = new Map();
    for (const f of files.filter(f => f.endsWith('.h')))
        for (const d of tokenize(fs.readFileSync(path.join(root, f), 'utf8')).defines)
            headerMacros.set(d.name, d);
    const moduleOf = f => owners.modules.filter(m => m.files.some(g => globRe(g).test(f)));
    for (const f of files) {
        const mods = moduleOf(f);
        if (mods.length > 1)
            problems.push(`${f}: in two modules, ${mods.map(m => m.name).join(' and ')}`);
        const mod = mods[0];
        for (const {line, text} of sqlStrings(path.join(root, f), headerMacros)) {
            if (!/\b(SELECT|INSERT|UPDATE|DELETE|REPLACE|ALTER|TRUNCATE|DROP|FROM|JOIN)\b/.test(text))
                continue; // SQL keywords are upper case in this code base; prose is not
            const a = analyse(text, schema);
            for (const t of a.tables) {
                const owner = ownerOf.get(t);
                if (!owner || owner === mod?.name)
                    continue;
                const where = `${f}:${line}`;
                if (!mod) {
                    problems.push(`${where}: uses table ${t} (owner ${owner}), but the file is in no module`);
                    continue;
                }
                const dim = owners.shared.get(t);
                if (!dim)
                    problems.push(`${where}: module ${mod.name} uses table ${t}, owned by ${owner}`);
                else if (a.written === t)
                    problems.push(`${where}: module ${mod.name} writes ${t}, owned by ${owner} (shared for reading only)`);
                else
                    for (const c of new Set(a.cols.filter(c => c.table === t && !dim.has(c.col)).map(c => c.col)))
                        problems.push(`${where}: module ${mod.name} reads ${t}.${c}, owned by ${owner} (shared: ${[...dim].join(', ')})`);
            }
        }
    }
    return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const root = process.argv[2] || path.resolve(path.dirname(process.argv[1]), '../..');
    const problems = check(root);
    for (const p of problems)
        console.log(p);
    console.log(problems.length ? `ownership: ${problems.length} problem(s); see portal/sql/OWNERS`
                                : 'ownership: every table is used by its owner only');
    process.exit(problems.length ? 1 : 0);
}
