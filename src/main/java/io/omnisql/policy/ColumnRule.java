package io.omnisql.policy;

/**
 * A column rule: hide the column ({@code mask == null}, a denial) or replace its value with a mask, for the
 * principals its audience selects. {@code rule} names it in errors and metadata (its {@code name}, or its
 * place in policies.yaml); {@code reason} is the optional text shown with a denial.
 */
record ColumnRule(String column, Mask mask, Audience audience, String rule, String reason) {
    boolean denies() {
        return mask == null;
    }
}
