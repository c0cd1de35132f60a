package io.omnisql.pgwire;

import java.util.List;

/**
 * The pg_catalog relations and functions SQL tools query on connect and when they browse (psql's {@code \d},
 * pgjdbc's DatabaseMetaData, DBeaver, Metabase), with Postgres' column names. Relations OmniSQL has nothing for
 * (indexes, constraints, triggers, policies, ...) exist empty, so the tools' joins run and list nothing.
 */
final class PgCatalogDdl {
    private PgCatalogDdl() {
    }

    static final String USER_VARIABLE = "omnisql_user";
    static final String INSERT_CLASS = "INSERT INTO pg_class VALUES (?, ?, ?, 0, 0, 10, 2, 0, 0, 0, -1, 0, 0, false, false, "
            + "'p', 'r', ?, 0, false, false, false, false, false, true, 'd', false, 0, NULL, NULL, NULL)";
    static final String INSERT_ATTRIBUTE = "INSERT INTO pg_attribute VALUES (?, ?, ?, -1, ?, ?, 0, -1, -1, false, 'i', 'x', '', "
            + "false, false, false, '', '', false, true, 0, 0, NULL, NULL, NULL, ?)";
    static final String INSERT_TYPE = "INSERT INTO pg_type VALUES (?, ?, 11, 10, ?, false, 'b', ?, false, true, ',', 0, ?, ?, ?, "
            + "'-', '-', '-', '-', '-', 'i', 'x', false, 0, -1, 0, 0, NULL, NULL, NULL, ?)";

    static final List<String> TABLES = List.of(
            "CREATE TABLE pg_namespace (oid BIGINT, nspname VARCHAR, nspowner BIGINT, nspacl VARCHAR[])",
            "CREATE TABLE pg_class (oid BIGINT, relname VARCHAR, relnamespace BIGINT, reltype BIGINT, reloftype BIGINT, "
                    + "relowner BIGINT, relam BIGINT, relfilenode BIGINT, reltablespace BIGINT, relpages INTEGER, reltuples REAL, "
                    + "relallvisible INTEGER, reltoastrelid BIGINT, relhasindex BOOLEAN, relisshared BOOLEAN, relpersistence VARCHAR, "
                    + "relkind VARCHAR, relnatts SMALLINT, relchecks SMALLINT, relhasrules BOOLEAN, relhastriggers BOOLEAN, "
                    + "relhassubclass BOOLEAN, relrowsecurity BOOLEAN, relforcerowsecurity BOOLEAN, relispopulated BOOLEAN, "
                    + "relreplident VARCHAR, relispartition BOOLEAN, relrewrite BIGINT, relacl VARCHAR[], reloptions VARCHAR[], "
                    + "relpartbound VARCHAR)",
            "CREATE TABLE pg_attribute (attrelid BIGINT, attname VARCHAR, atttypid BIGINT, attstattarget INTEGER, attlen SMALLINT, "
                    + "attnum SMALLINT, attndims INTEGER, attcacheoff INTEGER, atttypmod INTEGER, attbyval BOOLEAN, attalign VARCHAR, "
                    + "attstorage VARCHAR, attcompression VARCHAR, attnotnull BOOLEAN, atthasdef BOOLEAN, atthasmissing BOOLEAN, "
                    + "attidentity VARCHAR, attgenerated VARCHAR, attisdropped BOOLEAN, attislocal BOOLEAN, attinhcount INTEGER, "
                    + "attcollation BIGINT, attacl VARCHAR[], attoptions VARCHAR[], attfdwoptions VARCHAR[], display_type VARCHAR)",
            "CREATE TABLE pg_type (oid BIGINT, typname VARCHAR, typnamespace BIGINT, typowner BIGINT, typlen SMALLINT, "
                    + "typbyval BOOLEAN, typtype VARCHAR, typcategory VARCHAR, typispreferred BOOLEAN, typisdefined BOOLEAN, "
                    + "typdelim VARCHAR, typrelid BIGINT, typelem BIGINT, typarray BIGINT, typinput VARCHAR, typoutput VARCHAR, "
                    + "typreceive VARCHAR, typsend VARCHAR, typmodin VARCHAR, typmodout VARCHAR, typalign VARCHAR, typstorage VARCHAR, "
                    + "typnotnull BOOLEAN, typbasetype BIGINT, typtypmod INTEGER, typndims INTEGER, typcollation BIGINT, "
                    + "typdefaultbin VARCHAR, typdefault VARCHAR, typacl VARCHAR[], display_type VARCHAR)",
            "CREATE TABLE pg_description (objoid BIGINT, classoid BIGINT, objsubid INTEGER, description VARCHAR)",
            "CREATE TABLE pg_database (oid BIGINT, datname VARCHAR, datdba BIGINT, encoding INTEGER, datlocprovider VARCHAR, "
                    + "datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER, dattablespace BIGINT, datcollate VARCHAR, "
                    + "datctype VARCHAR, daticulocale VARCHAR, datcollversion VARCHAR, datacl VARCHAR[])",
            "INSERT INTO pg_database VALUES (16383, 'omnisql', 10, 6, 'c', false, true, -1, 1663, 'C.UTF-8', 'C.UTF-8', NULL, NULL, NULL)",
            "CREATE TABLE pg_am (oid BIGINT, amname VARCHAR, amhandler VARCHAR, amtype VARCHAR)",
            "INSERT INTO pg_am VALUES (2, 'heap', 'heap_tableam_handler', 't')",
            "CREATE TABLE pg_tablespace (oid BIGINT, spcname VARCHAR, spcowner BIGINT, spcacl VARCHAR[], spcoptions VARCHAR[])",
            "INSERT INTO pg_tablespace VALUES (1663, 'pg_default', 10, NULL, NULL)",
            "CREATE TABLE pg_settings (name VARCHAR, setting VARCHAR, unit VARCHAR, category VARCHAR, short_desc VARCHAR, "
                    + "extra_desc VARCHAR, context VARCHAR, vartype VARCHAR, source VARCHAR, min_val VARCHAR, max_val VARCHAR, "
                    + "enumvals VARCHAR[], boot_val VARCHAR, reset_val VARCHAR, sourcefile VARCHAR, sourceline INTEGER, pending_restart BOOLEAN)",
            "CREATE TABLE pg_index (indexrelid BIGINT, indrelid BIGINT, indnatts SMALLINT, indnkeyatts SMALLINT, indisunique BOOLEAN, "
                    + "indnullsnotdistinct BOOLEAN, indisprimary BOOLEAN, indisexclusion BOOLEAN, indimmediate BOOLEAN, "
                    + "indisclustered BOOLEAN, indisvalid BOOLEAN, indcheckxmin BOOLEAN, indisready BOOLEAN, indislive BOOLEAN, "
                    + "indisreplident BOOLEAN, indkey SMALLINT[], indcollation BIGINT[], indclass BIGINT[], indoption SMALLINT[], "
                    + "indexprs VARCHAR, indpred VARCHAR)",
            "CREATE TABLE pg_constraint (oid BIGINT, conname VARCHAR, connamespace BIGINT, contype VARCHAR, condeferrable BOOLEAN, "
                    + "condeferred BOOLEAN, convalidated BOOLEAN, conrelid BIGINT, contypid BIGINT, conindid BIGINT, conparentid BIGINT, "
                    + "confrelid BIGINT, confupdtype VARCHAR, confdeltype VARCHAR, confmatchtype VARCHAR, conislocal BOOLEAN, "
                    + "coninhcount INTEGER, connoinherit BOOLEAN, conkey SMALLINT[], confkey SMALLINT[], conpfeqop BIGINT[], "
                    + "conppeqop BIGINT[], conffeqop BIGINT[], confdelsetcols SMALLINT[], conexclop BIGINT[], conbin VARCHAR)",
            "CREATE TABLE pg_attrdef (oid BIGINT, adrelid BIGINT, adnum SMALLINT, adbin VARCHAR)",
            "CREATE TABLE pg_collation (oid BIGINT, collname VARCHAR, collnamespace BIGINT, collowner BIGINT, collprovider VARCHAR, "
                    + "collisdeterministic BOOLEAN, collencoding INTEGER, collcollate VARCHAR, collctype VARCHAR)",
            "CREATE TABLE pg_inherits (inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN)",
            "CREATE TABLE pg_policy (oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, "
                    + "polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR)",
            "CREATE TABLE pg_statistic_ext (oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxowner BIGINT, "
                    + "stxstattarget INTEGER, stxkeys SMALLINT[], stxkind VARCHAR[], stxexprs VARCHAR)",
            "CREATE TABLE pg_publication (oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, pubinsert BOOLEAN, "
                    + "pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN)",
            "CREATE TABLE pg_publication_rel (oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs SMALLINT[])",
            "CREATE TABLE pg_publication_namespace (oid BIGINT, pnpubid BIGINT, pnnspid BIGINT)",
            "CREATE TABLE pg_trigger (oid BIGINT, tgrelid BIGINT, tgparentid BIGINT, tgname VARCHAR, tgfoid BIGINT, tgtype SMALLINT, "
                    + "tgenabled VARCHAR, tgisinternal BOOLEAN, tgconstrrelid BIGINT, tgconstrindid BIGINT, tgconstraint BIGINT, "
                    + "tgdeferrable BOOLEAN, tginitdeferred BOOLEAN, tgnargs SMALLINT, tgattr SMALLINT[], tgargs VARCHAR, tgqual VARCHAR, "
                    + "tgoldtable VARCHAR, tgnewtable VARCHAR)",
            "CREATE TABLE pg_rewrite (oid BIGINT, rulename VARCHAR, ev_class BIGINT, ev_type VARCHAR, ev_enabled VARCHAR, "
                    + "is_instead BOOLEAN, ev_qual VARCHAR, ev_action VARCHAR)",
            "CREATE TABLE pg_foreign_table (ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[])",
            "CREATE TABLE pg_partitioned_table (partrelid BIGINT, partstrat VARCHAR, partnatts SMALLINT, partdefid BIGINT, "
                    + "partattrs SMALLINT[])",
            "CREATE TABLE pg_proc (oid BIGINT, proname VARCHAR, pronamespace BIGINT, proowner BIGINT, prolang BIGINT, "
                    + "procost REAL, prorows REAL, provariadic BIGINT, prosupport VARCHAR, prokind VARCHAR, prosecdef BOOLEAN, "
                    + "proleakproof BOOLEAN, proisstrict BOOLEAN, proretset BOOLEAN, provolatile VARCHAR, proparallel VARCHAR, "
                    + "pronargs SMALLINT, pronargdefaults SMALLINT, prorettype BIGINT, proargtypes BIGINT[], proallargtypes BIGINT[], "
                    + "proargmodes VARCHAR[], proargnames VARCHAR[], prosrc VARCHAR, probin VARCHAR, proconfig VARCHAR[], proacl VARCHAR[])",
            "CREATE TABLE pg_extension (oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, extrelocatable BOOLEAN, "
                    + "extversion VARCHAR, extconfig BIGINT[], extcondition VARCHAR[])",
            "CREATE TABLE pg_enum (oid BIGINT, enumtypid BIGINT, enumsortorder REAL, enumlabel VARCHAR)",
            "CREATE TABLE pg_range (rngtypid BIGINT, rngsubtype BIGINT, rngmultitypid BIGINT, rngcollation BIGINT, "
                    + "rngsubopc BIGINT, rngcanonical VARCHAR, rngsubdiff VARCHAR)",
            "CREATE TABLE pg_depend (classid BIGINT, objid BIGINT, objsubid INTEGER, refclassid BIGINT, refobjid BIGINT, "
                    + "refobjsubid INTEGER, deptype VARCHAR)",
            "CREATE TABLE pg_sequence (seqrelid BIGINT, seqtypid BIGINT, seqstart BIGINT, seqincrement BIGINT, seqmax BIGINT, "
                    + "seqmin BIGINT, seqcache BIGINT, seqcycle BOOLEAN)",
            "CREATE TABLE pg_event_trigger (oid BIGINT, evtname VARCHAR, evtevent VARCHAR, evtowner BIGINT, evtfoid BIGINT, "
                    + "evtenabled VARCHAR, evttags VARCHAR[])",
            "CREATE TABLE pg_shdescription (objoid BIGINT, classoid BIGINT, description VARCHAR)",
            "CREATE TABLE pg_matviews (schemaname VARCHAR, matviewname VARCHAR, matviewowner VARCHAR, tablespace VARCHAR, "
                    + "hasindexes BOOLEAN, ispopulated BOOLEAN, definition VARCHAR)",
            "CREATE TABLE pg_views (schemaname VARCHAR, viewname VARCHAR, viewowner VARCHAR, definition VARCHAR)",
            "CREATE TABLE pg_stat_activity (datid BIGINT, datname VARCHAR, pid INTEGER, usename VARCHAR, application_name VARCHAR, "
                    + "state VARCHAR, query VARCHAR)",
            "CREATE TABLE pg_locks (locktype VARCHAR, database BIGINT, relation BIGINT, pid INTEGER, mode VARCHAR, granted BOOLEAN)",
            "CREATE TABLE pg_opclass (oid BIGINT, opcmethod BIGINT, opcname VARCHAR, opcnamespace BIGINT, opcowner BIGINT, "
                    + "opcfamily BIGINT, opcintype BIGINT, opcdefault BOOLEAN, opckeytype BIGINT)",
            "CREATE TABLE pg_language (oid BIGINT, lanname VARCHAR, lanowner BIGINT, lanispl BOOLEAN, lanpltrusted BOOLEAN)",
            "CREATE TABLE pg_cast (oid BIGINT, castsource BIGINT, casttarget BIGINT, castfunc BIGINT, castcontext VARCHAR, castmethod VARCHAR)",
            "CREATE TABLE pg_operator (oid BIGINT, oprname VARCHAR, oprnamespace BIGINT, oprleft BIGINT, oprright BIGINT, oprresult BIGINT)",
            "CREATE TABLE pg_aggregate (aggfnoid BIGINT, aggkind VARCHAR)",
            "CREATE TABLE pg_foreign_server (oid BIGINT, srvname VARCHAR, srvowner BIGINT, srvfdw BIGINT)",
            "CREATE TABLE pg_foreign_data_wrapper (oid BIGINT, fdwname VARCHAR, fdwowner BIGINT)",
            "CREATE TABLE pg_auth_members (oid BIGINT, roleid BIGINT, member BIGINT, grantor BIGINT, admin_option BOOLEAN)",
            "CREATE SCHEMA pgis");

    /**
     * Views and macros over the filled tables: run after them (they read pg_class etc.). The connected user is the
     * connection's variable {@link #USER_VARIABLE}, so one view serves every principal who sees the same catalog.
     */
    static List<String> macros(String currentSchema, String schemaList, String version) {
        // Typed: a view is bound when created, before any connection has set the variable.
        String user = "CAST(getvariable('" + USER_VARIABLE + "') AS VARCHAR)";
        return List.of(
                "CREATE VIEW pg_tables AS SELECT n.nspname AS schemaname, c.relname AS tablename, " + user + " AS tableowner, "
                        + "NULL::VARCHAR AS tablespace, false AS hasindexes, false AS hasrules, false AS hastriggers, "
                        + "false AS rowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
                "CREATE VIEW pg_roles AS SELECT 10::BIGINT AS oid, " + user + " AS rolname, false AS rolsuper, true AS rolinherit, "
                        + "false AS rolcreaterole, false AS rolcreatedb, true AS rolcanlogin, false AS rolreplication, "
                        + "-1 AS rolconnlimit, '********' AS rolpassword, NULL::TIMESTAMP AS rolvaliduntil, false AS rolbypassrls, "
                        + "NULL::VARCHAR[] AS rolconfig",
                "CREATE VIEW pg_user AS SELECT " + user + " AS usename, 10::BIGINT AS usesysid, false AS usecreatedb, "
                        + "false AS usesuper, false AS userepl, false AS usebypassrls, '********' AS passwd, "
                        + "NULL::TIMESTAMP AS valuntil, NULL::VARCHAR[] AS useconfig",
                "CREATE MACRO version() AS " + version,
                "CREATE MACRO current_database() AS 'omnisql'",
                "CREATE MACRO current_schema() AS " + currentSchema,
                "CREATE MACRO current_schemas(implicit) AS " + schemaList,
                "CREATE MACRO \"current_user\"() AS " + user,
                "CREATE MACRO \"session_user\"() AS " + user,
                "CREATE MACRO \"user\"() AS " + user,
                "CREATE MACRO current_role() AS " + user,
                "CREATE MACRO pg_get_userbyid(id) AS " + user,
                "CREATE MACRO pg_table_is_visible(id) AS true",
                "CREATE MACRO pg_type_is_visible(id) AS true",
                "CREATE MACRO pg_function_is_visible(id) AS true",
                "CREATE MACRO format_type(type_oid, typemod) AS (SELECT display_type FROM pg_type WHERE oid = type_oid)",
                "CREATE MACRO pg_get_expr(expr, relation) AS NULL::VARCHAR, (expr, relation, pretty) AS NULL::VARCHAR",
                "CREATE MACRO obj_description(object_oid) AS (SELECT description FROM pg_description WHERE objoid = object_oid "
                        + "AND objsubid = 0 LIMIT 1), (object_oid, catalog) AS (SELECT description FROM pg_description "
                        + "WHERE objoid = object_oid AND objsubid = 0 LIMIT 1)",
                "CREATE MACRO col_description(table_oid, column_number) AS (SELECT description FROM pg_description "
                        + "WHERE objoid = table_oid AND objsubid = column_number LIMIT 1)",
                "CREATE MACRO shobj_description(object_oid, catalog) AS NULL::VARCHAR",
                "CREATE MACRO has_table_privilege(a, b) AS true, (a, b, c) AS true",
                "CREATE MACRO has_schema_privilege(a, b) AS true, (a, b, c) AS true",
                "CREATE MACRO has_database_privilege(a, b) AS true, (a, b, c) AS true",
                "CREATE MACRO has_column_privilege(a, b, c) AS true, (a, b, c, d) AS true",
                "CREATE MACRO pg_has_role(a, b) AS true, (a, b, c) AS true",
                "CREATE MACRO pg_encoding_to_char(e) AS 'UTF8'",
                "CREATE MACRO pg_backend_pid() AS 0",
                "CREATE MACRO pg_get_indexdef(a) AS NULL::VARCHAR, (a, b, c) AS NULL::VARCHAR",
                "CREATE MACRO pg_get_constraintdef(a) AS NULL::VARCHAR, (a, b) AS NULL::VARCHAR",
                "CREATE MACRO pg_get_viewdef(a) AS NULL::VARCHAR, (a, b) AS NULL::VARCHAR",
                "CREATE MACRO pg_get_triggerdef(a) AS NULL::VARCHAR, (a, b) AS NULL::VARCHAR",
                "CREATE MACRO pg_get_partkeydef(a) AS NULL::VARCHAR",
                "CREATE MACRO pg_get_statisticsobjdef_columns(a) AS NULL::VARCHAR",
                "CREATE MACRO pg_get_ruledef(a) AS NULL::VARCHAR, (a, b) AS NULL::VARCHAR",
                "CREATE MACRO pg_get_serial_sequence(a, b) AS NULL::VARCHAR",
                "CREATE MACRO pg_tablespace_location(a) AS NULL::VARCHAR",
                "CREATE MACRO pg_get_function_result(a) AS NULL::VARCHAR",
                "CREATE MACRO pg_get_function_arguments(a) AS NULL::VARCHAR",
                "CREATE MACRO pg_relation_is_publishable(a) AS false",
                "CREATE MACRO pg_is_in_recovery() AS false",
                "CREATE MACRO pg_total_relation_size(a) AS 0::BIGINT",
                "CREATE MACRO pg_relation_size(a) AS 0::BIGINT, (a, b) AS 0::BIGINT",
                "CREATE MACRO pg_table_size(a) AS 0::BIGINT",
                "CREATE MACRO pg_size_pretty(a) AS '0 bytes'",
                "CREATE MACRO pg_postmaster_start_time() AS TIMESTAMP '2000-01-01 00:00:00'",
                "CREATE MACRO txid_current() AS 1::BIGINT",
                "CREATE MACRO inet_server_addr() AS NULL::VARCHAR",
                "CREATE MACRO inet_server_port() AS NULL::INTEGER",
                "CREATE MACRO quote_ident(s) AS CASE WHEN regexp_full_match(s, '[a-z_][a-z0-9_$]*') THEN s "
                        + "ELSE '\"' || replace(s, '\"', '\"\"') || '\"' END",
                "CREATE MACRO array_upper(a, d) AS CASE WHEN len(a) = 0 THEN NULL ELSE len(a) END",
                "CREATE MACRO array_lower(a, d) AS CASE WHEN len(a) = 0 THEN NULL ELSE 1 END",
                "CREATE MACRO current_setting(setting_name) AS (SELECT setting FROM pg_settings WHERE name = setting_name), "
                        + "(setting_name, missing_ok) AS (SELECT setting FROM pg_settings WHERE name = setting_name)",
                // pgjdbc's key and index queries select (information_schema._pg_expandarray(indkey)).n: no indexes, so only binding matters.
                "CREATE MACRO pgis._pg_expandarray(arr) AS {'x': arr[1], 'n': 1}",
                "CREATE TYPE regclass AS BIGINT",
                "CREATE TYPE regtype AS BIGINT",
                "CREATE TYPE regnamespace AS BIGINT",
                "CREATE TYPE regprocedure AS BIGINT",
                "CREATE TYPE regoper AS BIGINT",
                "CREATE TYPE regrole AS BIGINT",
                "CREATE TYPE regproc AS VARCHAR",
                "CREATE TYPE int2vector AS SMALLINT[]",
                "CREATE TYPE oidvector AS BIGINT[]",
                "CREATE TYPE \"name\" AS VARCHAR",
                "CREATE VIEW pgis.schemata AS SELECT 'omnisql' AS catalog_name, nspname AS schema_name, " + user
                        + " AS schema_owner, NULL::VARCHAR AS default_character_set_catalog, NULL::VARCHAR AS default_character_set_schema, "
                        + "NULL::VARCHAR AS default_character_set_name, NULL::VARCHAR AS sql_path FROM pg_namespace",
                "CREATE VIEW pgis.tables AS SELECT 'omnisql' AS table_catalog, n.nspname AS table_schema, c.relname AS table_name, "
                        + "'BASE TABLE' AS table_type, NULL::VARCHAR AS self_referencing_column_name, NULL::VARCHAR AS reference_generation, "
                        + "NULL::VARCHAR AS user_defined_type_catalog, NULL::VARCHAR AS user_defined_type_schema, "
                        + "NULL::VARCHAR AS user_defined_type_name, 'NO' AS is_insertable_into, 'NO' AS is_typed, "
                        + "NULL::VARCHAR AS commit_action FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
                "CREATE VIEW pgis.columns AS SELECT 'omnisql' AS table_catalog, n.nspname AS table_schema, c.relname AS table_name, "
                        + "a.attname AS column_name, a.attnum::INTEGER AS ordinal_position, NULL::VARCHAR AS column_default, "
                        + "'YES' AS is_nullable, t.display_type AS data_type, NULL::INTEGER AS character_maximum_length, "
                        + "NULL::INTEGER AS character_octet_length, NULL::INTEGER AS numeric_precision, NULL::INTEGER AS numeric_precision_radix, "
                        + "NULL::INTEGER AS numeric_scale, NULL::INTEGER AS datetime_precision, NULL::VARCHAR AS interval_type, "
                        + "'omnisql' AS udt_catalog, 'pg_catalog' AS udt_schema, t.typname AS udt_name, "
                        + "col_description(c.oid, a.attnum) AS column_comment, 'NO' AS is_identity, 'NEVER' AS is_generated, "
                        + "'NO' AS is_updatable FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                        + "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid",
                "CREATE VIEW pgis.views AS SELECT * FROM (SELECT ''::VARCHAR AS table_catalog, ''::VARCHAR AS table_schema, "
                        + "''::VARCHAR AS table_name, ''::VARCHAR AS view_definition) WHERE false",
                "CREATE VIEW pgis.routines AS SELECT * FROM (SELECT ''::VARCHAR AS routine_catalog, ''::VARCHAR AS routine_schema, "
                        + "''::VARCHAR AS routine_name, ''::VARCHAR AS routine_type) WHERE false",
                "CREATE VIEW pgis.table_constraints AS SELECT * FROM (SELECT ''::VARCHAR AS constraint_catalog, "
                        + "''::VARCHAR AS constraint_schema, ''::VARCHAR AS constraint_name, ''::VARCHAR AS table_catalog, "
                        + "''::VARCHAR AS table_schema, ''::VARCHAR AS table_name, ''::VARCHAR AS constraint_type) WHERE false",
                "CREATE VIEW pgis.key_column_usage AS SELECT * FROM (SELECT ''::VARCHAR AS constraint_catalog, "
                        + "''::VARCHAR AS constraint_schema, ''::VARCHAR AS constraint_name, ''::VARCHAR AS table_catalog, "
                        + "''::VARCHAR AS table_schema, ''::VARCHAR AS table_name, ''::VARCHAR AS column_name, "
                        + "0 AS ordinal_position) WHERE false");
    }
}
