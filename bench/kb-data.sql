-- bench/kb-data.sql - bulk data for the knowledge-base benchmark, generated inside
-- MariaDB: @kb_articles articles (default 100,000) of about 2 KB each, 60 % English and
-- 40 % Russian, in 8 spaces, each with its revision 1, and the search terms bench/kb-run
-- uses (table bench_kb_queries). About 2 minutes on 2 cores.
--
-- Run against the bench database AFTER `portal migrate` and `portal demo`:
--   mariadb --socket=… portal_bench < bench/kb-data.sql
-- or another size:
--   (echo 'SET @kb_articles = 20000;'; cat bench/kb-data.sql) | mariadb … portal_bench
--
-- The text: ~1,200 words of our own (English and Russian business vocabulary, commonest
-- first) and ~50,000 forms derived from them; 60,000 sentences, paragraphs and phrases a
-- language drawn from them by hashes with Zipf-distributed word ranks; an article is a
-- title, a heading, four paragraphs and a three-item list picked by hashes of its id.
-- Deterministic: the same input gives the same rows. body_html is what cmark renders
-- for body_md (the text is letters, spaces and full stops; bench/kb-run checks a
-- sample against POST /api/v1/markdown/preview).
-- Ids are explicit and consecutive from MAX(id) + 1, so bench/kb-view.lua can draw
-- random ids from a range. Visibility: 30 % public; status: 2 % drafts.
-- The two FULLTEXT indexes are dropped for the load and built again at the end (one
-- sorted build instead of 100,000 trips through the FTS cache), as portal/sql/0004_kb.sql
-- defines them (checked at the end): run it before `portal serve`, not under load.

SET NAMES utf8mb4;
SET @kb_articles = COALESCE(@kb_articles, 100000);
SET SESSION foreign_key_checks = 0, unique_checks = 0;
SELECT CONCAT('kb-data: ', @kb_articles, ' articles') AS '';

-- ---- vocabulary and sentences -------------------------------------------------------
SET @kb_en = CONCAT(
  'the and for with that this from are will not all can has when after before each only into our ',
  'your their must should also then than other more most any every new first last same please ',
  'always never customer customers client clients order orders invoice invoices payment payments ',
  'delivery shipping account accounts contract contracts offer offers price prices discount ',
  'discounts product products service services ticket tickets support request requests issue ',
  'issues problem problems answer answers question questions manager managers team teams sales ',
  'department office warehouse stock supplier suppliers partner partners document documents report ',
  'reports template templates approval approvals signature signatures deadline deadlines schedule ',
  'meeting meetings call calls email emails message messages phone address company companies ',
  'project projects task tasks board boards card cards status priority priorities urgent normal ',
  'high low review reviews process processes step steps stage stages policy policies rule rules ',
  'guide guides return returns refund refunds warranty repair replacement exchange complaint ',
  'complaints feedback rating quality standard standards checklist procedure procedures ',
  'instruction instructions manual handbook login password access permission permissions role ',
  'roles session sessions security backup backups server servers database network system systems ',
  'update updates version versions release releases install setup configure configuration settings ',
  'option options feature features module modules integration integrations export import file ',
  'files upload download folder folders archive archives storage cloud budget budgets cost costs ',
  'expense expenses revenue profit margin margins forecast forecasts target targets plan plans ',
  'quarter quarterly annual monthly weekly daily month week year day hour hours minute employee ',
  'employees colleague colleagues onboarding training trainer course courses lesson lessons skill ',
  'skills vacation holiday holidays sick leave salary bonus bonuses hiring interview candidate ',
  'candidates legal lawyer compliance audit audits tax taxes vat accounting accountant bank ',
  'transfer credit debit cash receipt receipts balance statement statements currency ruble rubles ',
  'euro dollar logistics courier carrier truck pallet pallets package packages parcel parcels ',
  'tracking route routes region regions city cities country countries moscow petersburg kazan ',
  'novosibirsk yekaterinburg create created updated delete deleted send sent receive received ',
  'check checked confirm confirmed approve approved reject rejected cancel cancelled close closed ',
  'open opened assign assigned escalate escalated resolve resolved reply replied forward forwarded ',
  'attach attached sign signed pay paid ship shipped deliver delivered returned ordered invoiced ',
  'book booked calculate calculated prepare prepared reviewed publish published archived restore ',
  'restored migrate migrated measure measured compare compared estimate estimated negotiate ',
  'negotiated important optional required mandatory correct incorrect valid invalid missing ',
  'complete incomplete current previous next final draft internal external public private personal ',
  'corporate quick quickly slow slowly early late fast simple complex clear unclear exact ',
  'approximate regular special premium basic advanced professional enterprise small medium large ',
  'website portal cabinet dashboard widget chart charts table tables column columns field fields ',
  'form forms button buttons menu page pages link links search filter filters sort printer ',
  'inventory inventories catalog catalogue catalogs item items sku barcode barcodes label labels ',
  'unit units quantity quantities weight volume size sizes color lead leads deal deals pipeline ',
  'funnel opportunity opportunities proposal proposals quote quotes tender tenders presentation ',
  'presentations demo demos trial trials subscription subscriptions renewal renewals churn ',
  'retention loyalty segment segments campaign campaigns newsletter newsletters marketing ',
  'advertising brand brands market markets competitor competitors analysis analytics metric ',
  'metrics kpi incident incidents outage outages monitoring alert alerts log logs error errors bug ',
  'bugs fix fixes patch patches test tests testing deploy deployment rollback maintenance downtime ',
  'uptime agreement agreements appendix annex clause clauses term terms condition conditions ',
  'liability penalty penalties termination extension amendment amendments counterparty ',
  'counterparties acceptance act acts certificate certificates license licenses permit permits ',
  'declaration declarations customs shipment shipments consignment freight insurance claim claims ',
  'notes minutes agenda decision decisions owner owners responsible deputy director head chief ',
  'officer assistant specialist engineer developer designer analyst operator administrator coffee ',
  'kitchen parking badge badges laptop laptops monitor monitors printers chair desk room rooms ',
  'floor building reception visitor visitors guard cleaning morning evening night weekend workday ',
  'workdays business overtime shift shifts remote hybrid travel trip trips hotel ticketing visa ',
  'passport taxi flight flights train');
SET @kb_ru = CONCAT(
  'для что как при это все или если после перед только также ',
  'уже ещё очень более менее всегда никогда сразу затем потом ',
  'каждый первый второй последний новый новая новое нужно ',
  'можно следует необходимо клиент клиента клиенту клиентом ',
  'клиенты клиентов клиентам клиентами заказ заказа заказу ',
  'заказы заказов заказам счёт счета счетов оплата оплаты ',
  'оплату оплате доставка доставки доставку доставке договор ',
  'договора договоры договоров предложение предложения цена ',
  'цены цену скидка скидки скидку товар товара товары товаров ',
  'услуга услуги услуг сервис сервиса поддержка поддержки ',
  'поддержку обращение обращения обращений заявка заявки ',
  'заявку вопрос вопроса вопросы ответ ответа ответы проблема ',
  'проблемы проблему ошибка ошибки ошибку решение решения ',
  'менеджер менеджера менеджеру менеджеры сотрудник сотрудника ',
  'сотрудники сотрудников отдел отдела отделы продажи продаж ',
  'склад склада складе поставщик поставщика поставщики партнёр ',
  'партнёра партнёры компания компании компанию документ ',
  'документа документы документов отчёт отчёта отчёты шаблон ',
  'шаблона шаблоны согласование согласования подпись подписи ',
  'срок срока сроки сроков график встреча встречи звонок ',
  'звонка письмо письма почта почты телефон телефона адрес ',
  'адреса проект проекта проекты задача задачи задачу доска ',
  'карточка карточки статус статуса приоритет приоритета ',
  'срочный срочная срочно обычный высокий низкий возврат ',
  'возврата возвраты гарантия гарантии ремонт ремонта замена ',
  'обмен жалоба жалобы отзыв отзывы оценка качество стандарт ',
  'стандарты чеклист порядок инструкция инструкции руководство ',
  'регламент регламента вход пароль пароля доступ доступа ',
  'права роль роли сессия безопасность резервная копия сервер ',
  'сервера база данных сеть система системы обновление ',
  'обновления версия версии релиз установка настройка ',
  'настройки параметр параметры функция функции модуль модули ',
  'интеграция интеграции выгрузка загрузка файл файла файлы ',
  'папка папки архив архива хранилище облако бюджет бюджета ',
  'расходы расход затраты выручка прибыль маржа прогноз план ',
  'плана квартал квартала год года месяц месяца неделя недели ',
  'день дня дней час часа часов минута минут отпуск отпуска ',
  'больничный зарплата премия премии найм собеседование ',
  'кандидат кандидаты обучение курс курсы урок уроки навык ',
  'навыки наставник адаптация новичок новичка юрист юриста ',
  'закон налог налоги ндс бухгалтерия бухгалтер банк перевод ',
  'карта наличные чек чека баланс выписка выписки валюта рубль ',
  'рубли рублей евро доллар логистика курьер курьера ',
  'перевозчик машина паллета посылка посылки отслеживание ',
  'маршрут маршрута регион региона город города страна москва ',
  'петербург казань новосибирск екатеринбург создать создан ',
  'обновить обновлён удалить удалён отправить отправлен ',
  'получить получен проверить проверен подтвердить подтверждён ',
  'одобрить отклонить отменить отменён закрыть закрыт открыть ',
  'открыт назначить назначен передать передан ответить ',
  'уточнить переслать приложить подписать подписан оплатить ',
  'оплачен отгрузить отгружен доставить доставлен вернуть ',
  'возвращён оформить оформлен рассчитать подготовить ',
  'подготовлен проверка опубликовать опубликован архивировать ',
  'восстановить перенести измерить сравнить оценить ',
  'согласовать согласован выставить выставлен важный важная ',
  'важно обязательный обязательно правильный неверный ',
  'корректный полный неполный текущий предыдущий следующий ',
  'итоговый черновик внутренний внешний публичный личный ',
  'корпоративный быстрый быстро медленно рано поздно простой ',
  'сложный понятный точный примерный регулярный специальный ',
  'базовый расширенный профессиональный крупный средний малый ',
  'сайт портал кабинет кабинете панель виджет таблица таблицы ',
  'столбец поле поля форма формы кнопка кнопки меню страница ',
  'страницы ссылка ссылки поиск фильтр фильтры сортировка ',
  'печать каталог позиция позиции артикул штрихкод этикетка ',
  'единица количество вес объём размер цвет остаток остатки ',
  'инвентаризация лид лиды сделка сделки воронка возможность ',
  'коммерческое тендер презентация демонстрация пробный ',
  'подписка продление лояльность сегмент рассылка маркетинг ',
  'реклама бренд рынок конкурент конкуренты анализ аналитика ',
  'показатель показатели инцидент сбой мониторинг оповещение ',
  'журнал тест тестирование развёртывание откат обслуживание ',
  'соглашение приложение пункт условие условия ответственность ',
  'штраф расторжение дополнительное контрагент контрагента ',
  'приёмка акт акты акта сертификат лицензия разрешение ',
  'декларация таможня импорт экспорт отгрузка груз страхование ',
  'претензия претензии протокол повестка владелец ',
  'ответственный заместитель директор руководитель начальник ',
  'специалист инженер разработчик дизайнер аналитик оператор ',
  'администратор кофе кухня парковка пропуск ноутбук монитор ',
  'принтер стол кресло комната этаж здание ресепшен посетитель ',
  'охрана уборка утро вечер ночь выходные рабочий рабочие ',
  'смена смены удалённо гибрид командировка гостиница виза ',
  'паспорт такси рейс поезд');

DROP TABLE IF EXISTS bench_kb_cand, bench_kb_words, bench_kb_sent, bench_kb_par, bench_kb_phrase;
SET SESSION tmp_table_size = 268435456, max_heap_table_size = 268435456;

-- Vocabulary: the base words above (commonest first), then a long tail of derived forms
-- (40 prefixes or suffixes a language: "reinvoice", "invoiceless", "перезаказ", …), about
-- 25,000 tokens a language. Text draws ranks log-uniformly (rank = (V+1)^u - 1), which
-- is Zipf's law: the top word is ~7 % of all words, a word of rank 300 is in ~10 % of
-- the articles, one of rank 20,000 in ~0.15 %.
CREATE TABLE bench_kb_cand (
  lang CHAR(2) NOT NULL, k INT NOT NULL, j INT NOT NULL, w VARCHAR(60) NOT NULL,
  PRIMARY KEY (lang, k, j)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO bench_kb_cand
SELECT 'en', 0, n, w FROM JSON_TABLE(CONCAT('["', REPLACE(@kb_en, ' ', '","'), '"]'), '$[*]'
  COLUMNS (n FOR ORDINALITY, w VARCHAR(40) PATH '$')) t;
INSERT INTO bench_kb_cand
SELECT 'ru', 0, n, w FROM JSON_TABLE(CONCAT('["', REPLACE(@kb_ru, ' ', '","'), '"]'), '$[*]'
  COLUMNS (n FOR ORDINALITY, w VARCHAR(40) PATH '$')) t;
INSERT INTO bench_kb_cand
SELECT b.lang, a.k, b.j, CONCAT(a.pre, b.w, a.suf)
FROM bench_kb_cand b
JOIN JSON_TABLE(
  '[["","s"],["","ing"],["","ed"],["re",""],["pre",""],["un",""],["","less"],["","able"],
    ["","ment"],["","ness"],["","er"],["co",""],["sub",""],["multi",""],["non",""],["over",""],
    ["under",""],["","ful"],["","ly"],["","ize"],["","ization"],["auto",""],["micro",""],
    ["inter",""],["","ish"],["post",""],["anti",""],["","ship"],["","ward"],["mega",""],
    ["semi",""],["","ist"],["","ity"],["","ative"],["","ery"],["out",""],["","hood"],["e",""],
    ["","wise"],["self",""]]', '$[*]'
  COLUMNS (k FOR ORDINALITY, pre VARCHAR(10) PATH '$[0]', suf VARCHAR(10) PATH '$[1]')) a
WHERE b.lang = 'en' AND b.k = 0;
INSERT INTO bench_kb_cand
SELECT b.lang, a.k, b.j, CONCAT(a.pre, b.w)
FROM bench_kb_cand b
JOIN JSON_TABLE(
  '["пере","под","пред","недо","без","сверх","авто","микро","мега","полу","около","меж","контр",
    "анти","супер","гипер","само","мини","макси","про","вне","после","до","со","взаимо","обще",
    "теле","радио","фото","видео","эко","био","нано","псевдо","квази","ультра","экстра","инфра",
    "транс","интер"]', '$[*]'
  COLUMNS (k FOR ORDINALITY, pre VARCHAR(10) PATH '$')) a
WHERE b.lang = 'ru' AND b.k = 0;
CREATE TABLE bench_kb_words (
  lang CHAR(2) NOT NULL, n INT NOT NULL, w VARCHAR(60) NOT NULL, PRIMARY KEY (lang, n)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO bench_kb_words
SELECT lang, ROW_NUMBER() OVER (PARTITION BY lang ORDER BY MIN(k), MIN(j)) - 1, w
FROM bench_kb_cand GROUP BY lang, w;
DROP TABLE bench_kb_cand;
SET @kb_ven = (SELECT COUNT(*) FROM bench_kb_words WHERE lang = 'en');
SET @kb_vru = (SELECT COUNT(*) FROM bench_kb_words WHERE lang = 'ru');

-- Pools of 60,000 a language, each drawn from the one before by hashes:
--   sentences  6-14 words, capitalised, with a full stop
--   paragraphs 5-7 English or 2-4 Russian sentences (Cyrillic is two bytes a letter)
--   phrases    1-4 words, for titles, headings and list items
CREATE TABLE bench_kb_sent (
  lang CHAR(2) NOT NULL, n INT NOT NULL, s VARCHAR(2000) NOT NULL, PRIMARY KEY (lang, n)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE TABLE bench_kb_par LIKE bench_kb_sent;
ALTER TABLE bench_kb_par MODIFY s TEXT NOT NULL;
CREATE TABLE bench_kb_phrase LIKE bench_kb_sent;

INSERT INTO bench_kb_sent
SELECT l.lang, x.seq, GROUP_CONCAT(w.w ORDER BY k.seq SEPARATOR ' ')
FROM (SELECT 'en' AS lang UNION ALL SELECT 'ru') l
STRAIGHT_JOIN seq_0_to_59999 x
STRAIGHT_JOIN seq_1_to_14 k ON k.seq <= 6 + x.seq % 9
STRAIGHT_JOIN bench_kb_words w ON w.lang = l.lang
  AND w.n = LEAST(IF(l.lang = 'en', @kb_ven, @kb_vru) - 1, FLOOR(POW(IF(l.lang = 'en', @kb_ven, @kb_vru) + 1,
              CRC32(CONCAT('s', l.lang, x.seq, ':', k.seq)) / 4294967296)) - 1)
GROUP BY l.lang, x.seq;
UPDATE bench_kb_sent SET s = CONCAT(UPPER(LEFT(s, 1)), SUBSTRING(s, 2), '.');

INSERT INTO bench_kb_par
SELECT l.lang, x.seq, GROUP_CONCAT(s.s ORDER BY k.seq SEPARATOR ' ')
FROM (SELECT 'en' AS lang UNION ALL SELECT 'ru') l
STRAIGHT_JOIN seq_0_to_59999 x
STRAIGHT_JOIN seq_1_to_7 k ON k.seq <= IF(l.lang = 'en', 5, 2) + x.seq % 3
STRAIGHT_JOIN bench_kb_sent s ON s.lang = l.lang AND s.n = CRC32(CONCAT('p', l.lang, x.seq, ':', k.seq)) % 60000
GROUP BY l.lang, x.seq;

INSERT INTO bench_kb_phrase
SELECT l.lang, x.seq, GROUP_CONCAT(w.w ORDER BY k.seq SEPARATOR ' ')
FROM (SELECT 'en' AS lang UNION ALL SELECT 'ru') l
STRAIGHT_JOIN seq_0_to_59999 x
STRAIGHT_JOIN seq_1_to_4 k ON k.seq <= 1 + x.seq % 4
STRAIGHT_JOIN bench_kb_words w ON w.lang = l.lang
  AND w.n = LEAST(IF(l.lang = 'en', @kb_ven, @kb_vru) - 1, FLOOR(POW(IF(l.lang = 'en', @kb_ven, @kb_vru) + 1,
              CRC32(CONCAT('w', l.lang, x.seq, ':', k.seq)) / 4294967296)) - 1)
GROUP BY l.lang, x.seq;

-- ---- spaces, then the articles in batches of 10,000 ----------------------------------
INSERT IGNORE INTO kb_spaces (name, description, created_at)
SELECT CONCAT('Bench: ', ELT(seq, 'Sales', 'Support', 'Logistics', 'Finance', 'HR', 'IT',
              'Legal', 'Help center')), 'Generated by bench/kb-data.sql', UTC_TIMESTAMP(6)
FROM seq_1_to_8;
SET @kb_space0 = (SELECT MIN(id) FROM kb_spaces WHERE name LIKE 'Bench: %');
SET @kb_a1 = (SELECT id FROM users WHERE email = 'vera@demo.example'),
    @kb_a2 = (SELECT id FROM users WHERE email = 'boris@demo.example'),
    @kb_a3 = (SELECT id FROM users WHERE email = 'anna@demo.example');
SET @kb_base = (SELECT COALESCE(MAX(id), 0) + 1 FROM kb_articles);

-- Bulk load without the FULLTEXT indexes; built again below.
ALTER TABLE kb_articles DROP INDEX kb_articles_ft, DROP INDEX kb_articles_title_ft;

DROP PROCEDURE IF EXISTS bench_kb_load;
DELIMITER //
CREATE PROCEDURE bench_kb_load()
BEGIN
  DECLARE b INT DEFAULT 0;
  DECLARE batches INT DEFAULT CEIL(@kb_articles / 10000);
  DECLARE k0 BIGINT;
  WHILE b < batches DO
    SET k0 = @kb_base + b * 10000;
    -- title: two phrases; body: heading, four paragraphs, a three-item list
    INSERT INTO kb_articles (id, space_id, parent_id, position, title, body_md, body_html, tags,
                             visibility, status, revision, author_id, created_at, updated_at)
    SELECT a.id, @kb_space0 + a.id % 8, NULL, a.id - @kb_base + 1,
           CONCAT(UPPER(LEFT(t1.s, 1)), SUBSTRING(t1.s, 2), ' ', t2.s),
           CONCAT('# ', UPPER(LEFT(t1.s, 1)), SUBSTRING(t1.s, 2), ' ', t2.s, '\n\n', p1.s,
                  '\n\n## ', UPPER(LEFT(h.s, 1)), SUBSTRING(h.s, 2), '\n\n', p2.s, '\n\n', p3.s,
                  '\n\n- ', i1.s, '\n- ', i2.s, '\n- ', i3.s, '\n\n', p4.s),
           CONCAT('<h1>', UPPER(LEFT(t1.s, 1)), SUBSTRING(t1.s, 2), ' ', t2.s, '</h1>\n<p>', p1.s,
                  '</p>\n<h2>', UPPER(LEFT(h.s, 1)), SUBSTRING(h.s, 2), '</h2>\n<p>', p2.s,
                  '</p>\n<p>', p3.s, '</p>\n<ul>\n<li>', i1.s, '</li>\n<li>', i2.s, '</li>\n<li>',
                  i3.s, '</li>\n</ul>\n<p>', p4.s, '</p>\n'),
           CONCAT(g1.w, ',', g2.w), IF(a.id % 10 < 3, 'public', 'internal'),
           IF(a.id % 50 = 7, 'draft', 'published'), 1, ELT(1 + a.id % 3, @kb_a1, @kb_a2, @kb_a3),
           UTC_TIMESTAMP(6) - INTERVAL (@kb_base + @kb_articles - a.id) MINUTE,
           UTC_TIMESTAMP(6) - INTERVAL (@kb_base + @kb_articles - a.id) MINUTE
    FROM (SELECT k0 + seq - 1 AS id, IF((k0 + seq) % 5 < 3, 'en', 'ru') AS l
          FROM seq_1_to_10000 WHERE k0 + seq - 1 < @kb_base + @kb_articles) a
    STRAIGHT_JOIN bench_kb_phrase t1 ON t1.lang = a.l AND t1.n = CRC32(CONCAT('t1:', a.id)) % 60000
    STRAIGHT_JOIN bench_kb_phrase t2 ON t2.lang = a.l AND t2.n = CRC32(CONCAT('t2:', a.id)) % 60000
    STRAIGHT_JOIN bench_kb_phrase h ON h.lang = a.l AND h.n = CRC32(CONCAT('h:', a.id)) % 60000
    STRAIGHT_JOIN bench_kb_par p1 ON p1.lang = a.l AND p1.n = CRC32(CONCAT('p1:', a.id)) % 60000
    STRAIGHT_JOIN bench_kb_par p2 ON p2.lang = a.l AND p2.n = CRC32(CONCAT('p2:', a.id)) % 60000
    STRAIGHT_JOIN bench_kb_par p3 ON p3.lang = a.l AND p3.n = CRC32(CONCAT('p3:', a.id)) % 60000
    STRAIGHT_JOIN bench_kb_par p4 ON p4.lang = a.l AND p4.n = CRC32(CONCAT('p4:', a.id)) % 60000
    STRAIGHT_JOIN bench_kb_phrase i1 ON i1.lang = a.l AND i1.n = CRC32(CONCAT('i1:', a.id)) % 60000
    STRAIGHT_JOIN bench_kb_phrase i2 ON i2.lang = a.l AND i2.n = CRC32(CONCAT('i2:', a.id)) % 60000
    STRAIGHT_JOIN bench_kb_phrase i3 ON i3.lang = a.l AND i3.n = CRC32(CONCAT('i3:', a.id)) % 60000
    STRAIGHT_JOIN bench_kb_words g1 ON g1.lang = a.l AND g1.n = 20 + CRC32(CONCAT('g1:', a.id)) % 2000
    STRAIGHT_JOIN bench_kb_words g2 ON g2.lang = a.l AND g2.n = 20 + CRC32(CONCAT('g2:', a.id)) % 2000;
    INSERT INTO kb_revisions (article_id, rev, title, body_md, tags, visibility, status, author_id,
                              summary, created_at)
    SELECT id, 1, title, body_md, tags, visibility, status, author_id, 'Generated', created_at
    FROM kb_articles WHERE id >= k0 AND id < k0 + 10000;
    SELECT CONCAT('kb-data: ', LEAST((b + 1) * 10000, @kb_articles), ' articles') AS '';
    SET b = b + 1;
  END WHILE;
END//
DELIMITER ;
CALL bench_kb_load();
DROP PROCEDURE bench_kb_load;

SELECT 'kb-data: building the FULLTEXT indexes' AS '';
ALTER TABLE kb_articles ADD FULLTEXT KEY kb_articles_ft (title, body_md, tags);
ALTER TABLE kb_articles ADD FULLTEXT KEY kb_articles_title_ft (title);

-- The indexes are back as the migration made them (else the portal would search without).
SELECT IF(GROUP_CONCAT(index_name, ':', column_name ORDER BY index_name, seq_in_index) =
          'kb_articles_ft:title,kb_articles_ft:body_md,kb_articles_ft:tags,kb_articles_title_ft:title',
          'kb-data: FULLTEXT indexes rebuilt', 'kb-data: ERROR: FULLTEXT indexes differ') AS ''
FROM information_schema.statistics
WHERE table_schema = DATABASE() AND table_name = 'kb_articles' AND index_type = 'FULLTEXT';

-- Search terms for bench/kb-run, drawn like the text (Zipf) but past the 40 commonest
-- words (function words, which nobody searches for): 60 % English, half of the queries
-- one word, half two. bench/kb-run reads them from this table (kept; 500 rows).
DROP TABLE IF EXISTS bench_kb_queries;
CREATE TABLE bench_kb_queries (
  n INT NOT NULL PRIMARY KEY, lang CHAR(2) NOT NULL, q VARCHAR(200) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO bench_kb_queries
SELECT x.seq, x.l, CONCAT_WS(' ', w1.w, IF(x.seq % 2 = 0, w2.w, NULL))
FROM (SELECT seq, IF(seq % 5 < 3, 'en', 'ru') AS l, IF(seq % 5 < 3, @kb_ven, @kb_vru) AS v
      FROM seq_1_to_500) x
STRAIGHT_JOIN bench_kb_words w1 ON w1.lang = x.l
  AND w1.n = 40 + LEAST(x.v - 41, FLOOR(POW(x.v - 39, CRC32(CONCAT('q1:', x.seq)) / 4294967296)) - 1)
STRAIGHT_JOIN bench_kb_words w2 ON w2.lang = x.l
  AND w2.n = 40 + LEAST(x.v - 41, FLOOR(POW(x.v - 39, CRC32(CONCAT('q2:', x.seq)) / 4294967296)) - 1);

DROP TABLE bench_kb_phrase, bench_kb_par, bench_kb_sent, bench_kb_words;
-- Written behind the portal's back: tell every node (their search indexes re-read it).
UPDATE cache_epochs SET n = n + 1 WHERE domain = 'kb';
ANALYZE TABLE kb_articles, kb_revisions;
SELECT CONCAT('kb-data: ', COUNT(*), ' articles, ids ', MIN(id), '-', MAX(id), ', ',
              ROUND(AVG(LENGTH(body_md))), ' bytes of Markdown on average') AS ''
FROM kb_articles WHERE id >= @kb_base;
