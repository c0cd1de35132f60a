package io.omnisql.plan;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The DuckDB functions a statement may call: what analytical SQL needs, nothing that reads settings, files,
 * the network, extensions, sequences, variables or the catalog. A name that is not listed is refused before
 * anything runs, so a function DuckDB adds in a later version stays unreachable until it is reviewed here.
 */
final class AnalyticFunctions {
    private static final Set<String> ALLOWED = Stream.of(
            // aggregates
            "count", "count_star", "sum", "avg", "mean", "min", "max", "median", "mode", "quantile", "quantile_cont",
            "quantile_disc", "percentile_cont", "percentile_disc", "stddev", "stddev_samp", "stddev_pop", "variance",
            "var_samp", "var_pop", "string_agg", "group_concat", "listagg", "list", "array_agg", "first", "last",
            "any_value", "arbitrary", "arg_min", "arg_max", "argmin", "argmax", "min_by", "max_by", "bool_and",
            "bool_or", "every", "count_if", "countif", "approx_count_distinct", "approx_quantile", "histogram",
            "corr", "covar_samp", "covar_pop", "regr_slope", "regr_intercept", "regr_r2", "regr_count", "regr_avgx",
            "regr_avgy", "regr_sxx", "regr_syy", "regr_sxy", "bit_and", "bit_or", "bit_xor", "product", "entropy",
            "kurtosis", "kurtosis_pop", "skewness", "fsum", "sumkahan", "kahan_sum", "favg", "mad", "geomean",
            "geometric_mean", "weighted_avg", "wavg",
            // window
            "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
            "last_value", "nth_value",
            // conditional and types
            "coalesce", "ifnull", "nullif", "if", "greatest", "least", "typeof", "try_cast",
            // numbers
            "abs", "ceil", "ceiling", "floor", "round", "round_even", "roundbankers", "trunc", "sqrt", "cbrt", "exp",
            "ln", "log", "log2", "log10", "pow", "power", "mod", "sign", "signbit", "pi", "degrees", "radians",
            "sin", "cos", "tan", "cot", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "isnan", "isinf",
            "isfinite", "gcd", "lcm", "greatest_common_divisor", "least_common_multiple", "even", "factorial",
            "bit_count", "random", "xor", "divide",
            // strings
            "lower", "upper", "lcase", "ucase", "length", "len", "strlen", "char_length", "character_length",
            "octet_length", "bit_length", "concat", "concat_ws", "substring", "substr", "left", "right", "left_grapheme",
            "right_grapheme", "trim", "ltrim", "rtrim", "replace", "reverse", "repeat", "lpad", "rpad", "position",
            "strpos", "instr", "contains", "starts_with", "ends_with", "prefix", "suffix", "split_part",
            "string_split", "str_split", "string_to_array", "split", "string_split_regex", "str_split_regex",
            "regexp_matches", "regexp_replace", "regexp_extract", "regexp_extract_all", "regexp_full_match",
            "regexp_split_to_array", "regexp_escape", "like_escape", "ilike_escape", "not_like_escape",
            "not_ilike_escape", "format", "printf", "md5", "md5_number", "sha1", "sha256", "hash", "ascii", "chr",
            "unicode", "ord", "translate", "strip_accents", "levenshtein", "damerau_levenshtein", "jaccard",
            "jaro_similarity", "jaro_winkler_similarity", "hamming", "mismatches", "editdist3", "to_base64",
            "from_base64", "base64", "url_encode", "url_decode", "nfc_normalize", "array_to_string",
            "list_to_string", "string_agg", "formatreadablesize", "format_bytes", "formatreadabledecimalsize",
            "bar", "to_hex", "hex", "unhex", "from_hex", "bin", "to_binary", "from_binary", "encode", "decode",
            "lower", "upper",
            // dates and times
            "now", "today", "current_date", "current_time", "current_timestamp", "get_current_time",
            "get_current_timestamp", "transaction_timestamp", "date_part", "datepart", "date_trunc", "datetrunc",
            "date_diff", "datediff", "date_sub", "datesub", "date_add", "extract", "year", "month", "day", "hour",
            "minute", "second", "millisecond", "microsecond", "nanosecond", "week", "weekofyear", "weekday",
            "dayofweek", "dayofmonth", "dayofyear", "isodow", "isoyear", "quarter", "yearweek", "century", "decade",
            "era", "millennium", "julian", "epoch", "epoch_ms", "epoch_us", "epoch_ns", "to_timestamp", "make_date",
            "make_time", "make_timestamp", "make_timestamptz", "make_interval", "strftime", "strptime", "try_strptime",
            "age", "last_day", "dayname", "monthname", "to_years", "to_months", "to_days", "to_hours", "to_minutes",
            "to_seconds", "to_milliseconds", "to_microseconds", "to_weeks", "to_centuries", "to_decades",
            "to_millennia", "to_quarters", "time_bucket", "timezone", "timezone_hour", "timezone_minute",
            "date_part", "isfinite",
            // lists, structs and maps
            "list_value", "list_pack", "array_value", "array_length", "cardinality", "list_contains", "list_has",
            "array_contains", "array_has", "list_position", "list_indexof", "array_position", "array_indexof",
            "list_extract", "list_element", "array_extract", "list_slice", "array_slice", "list_sort", "array_sort",
            "list_reverse_sort", "array_reverse_sort", "list_distinct", "array_distinct", "list_unique", "array_unique",
            "list_aggregate", "list_aggr", "array_aggregate", "array_aggr", "aggregate", "list_transform",
            "array_transform", "apply", "list_apply", "array_apply", "list_filter", "array_filter", "filter",
            "list_reduce", "array_reduce", "reduce", "list_concat", "array_concat", "list_cat", "array_cat", "flatten",
            "unnest", "generate_series", "range", "list_sum", "list_min", "list_max", "list_avg", "list_count",
            "list_first", "list_last", "list_any_value", "list_median", "list_mode", "list_string_agg",
            "list_bool_and", "list_bool_or", "list_has_any", "list_has_all", "array_has_any", "array_has_all",
            "list_zip", "array_zip", "list_select", "array_select", "list_where", "array_where", "list_grade_up",
            "array_grade_up", "list_resize", "array_resize", "list_append", "array_append", "array_push_back",
            "list_prepend", "array_prepend", "array_push_front", "array_pop_back", "array_pop_front", "list_reverse",
            "array_reverse", "list_inner_product", "list_dot_product", "list_cosine_similarity", "list_distance",
            "struct_pack", "struct_extract", "struct_insert", "row", "map", "map_extract", "map_keys", "map_values",
            "map_entries", "map_from_entries", "map_concat", "map_contains", "element_at"
    ).map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());

    private AnalyticFunctions() {
    }

    static boolean allows(String name) {
        return ALLOWED.contains(name.toLowerCase(Locale.ROOT));
    }
}
