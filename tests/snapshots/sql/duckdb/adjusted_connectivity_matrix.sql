WITH "t19" AS (
  SELECT DISTINCT
    "t1"."electrode_id"
  FROM "recording" AS "t1"
  WHERE
    CONTAINS("t1"."stim_name", 'TargetV')
), "t38" AS (
  SELECT
    "t35"."id" AS "cell_id",
    UNNEST(
      LIST_FILTER(
        CAST([
          CASE
            WHEN (
              "t35"."dendrite_type" = 'spiny'
            ) AND (
              "t35"."cortical_layer" = '2/3'
            )
            THEN 'l23pyr'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'pvalb'
            ) AND (
              "t35"."cortical_layer" = '2/3'
            )
            THEN 'l23pv'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'sst'
            ) AND (
              "t35"."cortical_layer" = '2/3'
            )
            THEN 'l23sst'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'vip'
            ) AND (
              "t35"."cortical_layer" = '2/3'
            )
            THEN 'l23vip'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN "t35"."cre_type" IN ('nr5a1', 'rorb') AND (
              "t35"."cortical_layer" = '4'
            )
            THEN 'l4pyr'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'pvalb'
            ) AND (
              "t35"."cortical_layer" = '4'
            )
            THEN 'l4pv'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'sst'
            ) AND (
              "t35"."cortical_layer" = '4'
            )
            THEN 'l4sst'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'vip'
            ) AND (
              "t35"."cortical_layer" = '4'
            )
            THEN 'l4vip'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN "t35"."cre_type" IN ('sim1', 'fam84b') AND (
              "t35"."cortical_layer" = '5'
            )
            THEN 'l5et'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'tlx3'
            ) AND (
              "t35"."cortical_layer" = '5'
            )
            THEN 'l5it'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'pvalb'
            ) AND (
              "t35"."cortical_layer" = '5'
            )
            THEN 'l5pv'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'sst'
            ) AND (
              "t35"."cortical_layer" = '5'
            )
            THEN 'l5sst'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'vip'
            ) AND (
              "t35"."cortical_layer" = '5'
            )
            THEN 'l5vip'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'ntsr1'
            ) AND "t35"."cortical_layer" IN ('6a', '6b')
            THEN 'l6pyr'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'pvalb'
            ) AND "t35"."cortical_layer" IN ('6a', '6b')
            THEN 'l6pv'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'sst'
            ) AND "t35"."cortical_layer" IN ('6a', '6b')
            THEN 'l6sst'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t35"."cre_type" = 'vip'
            ) AND "t35"."cortical_layer" IN ('6a', '6b')
            THEN 'l6vip'
            ELSE CAST(NULL AS TEXT)
          END
        ] AS TEXT[]),
        __ibis_param_name__ -> __ibis_param_name__ IS NOT NULL
      )
    ) AS "class_name"
  FROM (
    SELECT
      "t10"."id",
      "t10"."experiment_id",
      "t10"."ext_id",
      "t10"."electrode_id",
      "t10"."cre_type",
      "t10"."target_layer",
      "t10"."position",
      "t10"."depth",
      "t10"."cell_class",
      "t10"."cell_class_nonsynaptic",
      "t10"."meta",
      "t25"."cell_id",
      "t25"."pyramidal",
      "t25"."qual_morpho_type",
      "t25"."dendrite_type",
      "t25"."apical_trunc_distance",
      "t25"."axon_trunc_distance",
      "t25"."apical_truncation",
      "t25"."axon_truncation",
      "t25"."axon_origin",
      "t26"."cortical_site_id",
      "t26"."cortical_layer",
      "t26"."distance_to_pia",
      "t26"."distance_to_wm",
      "t26"."fractional_depth",
      "t26"."layer_depth",
      "t26"."layer_thickness",
      "t26"."fractional_layer_depth"
    FROM "cell" AS "t10"
    LEFT OUTER JOIN (
      SELECT
        "t6"."cell_id" AS "__morphology_key",
        "t6"."cell_id",
        "t6"."pyramidal",
        "t6"."qual_morpho_type",
        "t6"."dendrite_type",
        "t6"."apical_trunc_distance",
        "t6"."axon_trunc_distance",
        "t6"."apical_truncation",
        "t6"."axon_truncation",
        "t6"."axon_origin"
      FROM "morphology" AS "t6"
    ) AS "t25"
      ON "t10"."id" = "t25"."__morphology_key"
    LEFT OUTER JOIN (
      SELECT
        "t7"."cell_id" AS "__cortical_cell_location_key",
        "t7"."cortical_site_id",
        "t7"."cortical_layer",
        "t7"."distance_to_pia",
        "t7"."distance_to_wm",
        "t7"."fractional_depth",
        "t7"."layer_depth",
        "t7"."layer_thickness",
        "t7"."fractional_layer_depth"
      FROM "cortical_cell_location" AS "t7"
    ) AS "t26"
      ON "t10"."id" = "t26"."__cortical_cell_location_key"
  ) AS "t35"
)
SELECT
  "t48".*
  EXCLUDE ("__order")
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t29"."pre_class",
      "t29"."post_class",
      COALESCE("t46"."n_probed", 0) AS "n_probed",
      COALESCE("t46"."n_connected", 0) AS "n_connected",
      CAST(COALESCE("t46"."n_connected", 0) AS DOUBLE) / NULLIF(COALESCE("t46"."n_probed", 0), 0) AS "connection_probability",
      SYNPHYS_CI_LOWER(COALESCE("t46"."n_connected", 0), NULLIF(COALESCE("t46"."n_probed", 0), 0), 0.1) AS "ci_lower",
      SYNPHYS_CI_UPPER(COALESCE("t46"."n_connected", 0), NULLIF(COALESCE("t46"."n_probed", 0), 0), 0.1) AS "ci_upper",
      CAST(COALESCE("t46"."__adj_k", 0) AS DOUBLE) / NULLIF("t46"."__adj_w", 0.0) AS "adjusted_connection_probability",
      SYNPHYS_CI_LOWER(COALESCE("t46"."__adj_k", 0), NULLIF(COALESCE("t46"."__adj_n", 0), 0), 0.1) * (
        CAST(COALESCE("t46"."__adj_n", 0) AS DOUBLE) / NULLIF("t46"."__adj_w", 0.0)
      ) AS "adjusted_ci_lower",
      SYNPHYS_CI_UPPER(COALESCE("t46"."__adj_k", 0), NULLIF(COALESCE("t46"."__adj_n", 0), 0), 0.1) * (
        CAST(COALESCE("t46"."__adj_n", 0) AS DOUBLE) / NULLIF("t46"."__adj_w", 0.0)
      ) AS "adjusted_ci_upper",
      COALESCE("t46"."n_gaps_probed", 0) AS "n_gaps_probed",
      COALESCE("t46"."n_gaps", 0) AS "n_gaps",
      CAST(COALESCE("t46"."n_gaps", 0) AS DOUBLE) / NULLIF(COALESCE("t46"."n_gaps_probed", 0), 0) AS "gap_probability",
      SYNPHYS_CI_LOWER(COALESCE("t46"."n_gaps", 0), NULLIF(COALESCE("t46"."n_gaps_probed", 0), 0), 0.1) AS "gap_ci_lower",
      SYNPHYS_CI_UPPER(COALESCE("t46"."n_gaps", 0), NULLIF(COALESCE("t46"."n_gaps_probed", 0), 0), 0.1) AS "gap_ci_upper",
      CAST(COALESCE("t46"."__gadj_k", 0) AS DOUBLE) / NULLIF("t46"."__gadj_w", 0.0) AS "adjusted_gap_probability",
      SYNPHYS_CI_LOWER(COALESCE("t46"."__gadj_k", 0), NULLIF(COALESCE("t46"."__gadj_n", 0), 0), 0.1) * (
        CAST(COALESCE("t46"."__gadj_n", 0) AS DOUBLE) / NULLIF("t46"."__gadj_w", 0.0)
      ) AS "adjusted_gap_ci_lower",
      SYNPHYS_CI_UPPER(COALESCE("t46"."__gadj_k", 0), NULLIF(COALESCE("t46"."__gadj_n", 0), 0), 0.1) * (
        CAST(COALESCE("t46"."__gadj_n", 0) AS DOUBLE) / NULLIF("t46"."__gadj_w", 0.0)
      ) AS "adjusted_gap_ci_upper",
      "t29"."__order"
    FROM (
      SELECT
        LIST_EXTRACT(
          [
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pyr',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23pv',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23sst',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l23vip',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pyr',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4pv',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4sst',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l4vip',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5et',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5it',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5pv',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5sst',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l5vip',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pyr',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6pv',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6sst',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip',
            'l6vip'
          ],
          "t11"."__order" + CAST("t11"."__order" >= 0 AS BIGINT)
        ) AS "pre_class",
        LIST_EXTRACT(
          [
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip',
            'l23pyr',
            'l23pv',
            'l23sst',
            'l23vip',
            'l4pyr',
            'l4pv',
            'l4sst',
            'l4vip',
            'l5et',
            'l5it',
            'l5pv',
            'l5sst',
            'l5vip',
            'l6pyr',
            'l6pv',
            'l6sst',
            'l6vip'
          ],
          "t11"."__order" + CAST("t11"."__order" >= 0 AS BIGINT)
        ) AS "post_class",
        "t11"."__order"
      FROM (
        SELECT
          UNNEST(
            [
              0,
              1,
              2,
              3,
              4,
              5,
              6,
              7,
              8,
              9,
              10,
              11,
              12,
              13,
              14,
              15,
              16,
              17,
              18,
              19,
              20,
              21,
              22,
              23,
              24,
              25,
              26,
              27,
              28,
              29,
              30,
              31,
              32,
              33,
              34,
              35,
              36,
              37,
              38,
              39,
              40,
              41,
              42,
              43,
              44,
              45,
              46,
              47,
              48,
              49,
              50,
              51,
              52,
              53,
              54,
              55,
              56,
              57,
              58,
              59,
              60,
              61,
              62,
              63,
              64,
              65,
              66,
              67,
              68,
              69,
              70,
              71,
              72,
              73,
              74,
              75,
              76,
              77,
              78,
              79,
              80,
              81,
              82,
              83,
              84,
              85,
              86,
              87,
              88,
              89,
              90,
              91,
              92,
              93,
              94,
              95,
              96,
              97,
              98,
              99,
              100,
              101,
              102,
              103,
              104,
              105,
              106,
              107,
              108,
              109,
              110,
              111,
              112,
              113,
              114,
              115,
              116,
              117,
              118,
              119,
              120,
              121,
              122,
              123,
              124,
              125,
              126,
              127,
              128,
              129,
              130,
              131,
              132,
              133,
              134,
              135,
              136,
              137,
              138,
              139,
              140,
              141,
              142,
              143,
              144,
              145,
              146,
              147,
              148,
              149,
              150,
              151,
              152,
              153,
              154,
              155,
              156,
              157,
              158,
              159,
              160,
              161,
              162,
              163,
              164,
              165,
              166,
              167,
              168,
              169,
              170,
              171,
              172,
              173,
              174,
              175,
              176,
              177,
              178,
              179,
              180,
              181,
              182,
              183,
              184,
              185,
              186,
              187,
              188,
              189,
              190,
              191,
              192,
              193,
              194,
              195,
              196,
              197,
              198,
              199,
              200,
              201,
              202,
              203,
              204,
              205,
              206,
              207,
              208,
              209,
              210,
              211,
              212,
              213,
              214,
              215,
              216,
              217,
              218,
              219,
              220,
              221,
              222,
              223,
              224,
              225,
              226,
              227,
              228,
              229,
              230,
              231,
              232,
              233,
              234,
              235,
              236,
              237,
              238,
              239,
              240,
              241,
              242,
              243,
              244,
              245,
              246,
              247,
              248,
              249,
              250,
              251,
              252,
              253,
              254,
              255,
              256,
              257,
              258,
              259,
              260,
              261,
              262,
              263,
              264,
              265,
              266,
              267,
              268,
              269,
              270,
              271,
              272,
              273,
              274,
              275,
              276,
              277,
              278,
              279,
              280,
              281,
              282,
              283,
              284,
              285,
              286,
              287,
              288
            ]
          ) AS "__order"
        FROM (
          SELECT
            0 AS "__one"
        ) AS "t8"
      ) AS "t11"
    ) AS "t29"
    LEFT OUTER JOIN (
      SELECT
        "t44"."pre_class",
        "t44"."post_class",
        COUNT("t44"."id") FILTER(WHERE
          (
            (
              "t44"."pre_cell_cell_class_nonsynaptic" = 'ex'
            )
            AND (
              "t44"."n_ex_test_spikes" > 10
            )
          )
          OR (
            (
              "t44"."pre_cell_cell_class_nonsynaptic" = 'in'
            )
            AND (
              "t44"."n_in_test_spikes" > 10
            )
          )
          OR (
            (
              "t44"."n_ex_test_spikes" > 10
            ) AND (
              "t44"."n_in_test_spikes" > 10
            )
          )) AS "n_probed",
        COUNT("t44"."id") FILTER(WHERE
          (
            (
              (
                "t44"."pre_cell_cell_class_nonsynaptic" = 'ex'
              )
              AND (
                "t44"."n_ex_test_spikes" > 10
              )
            )
            OR (
              (
                "t44"."pre_cell_cell_class_nonsynaptic" = 'in'
              )
              AND (
                "t44"."n_in_test_spikes" > 10
              )
            )
            OR (
              (
                "t44"."n_ex_test_spikes" > 10
              ) AND (
                "t44"."n_in_test_spikes" > 10
              )
            )
          )
          AND (
            "t44"."has_synapse" = TRUE
          )) AS "n_connected",
        COUNT("t44"."id") FILTER(WHERE
          (
            (
              (
                "t44"."pre_cell_cell_class_nonsynaptic" = 'ex'
              )
              AND (
                "t44"."n_ex_test_spikes" > 10
              )
            )
            OR (
              (
                "t44"."pre_cell_cell_class_nonsynaptic" = 'in'
              )
              AND (
                "t44"."n_in_test_spikes" > 10
              )
            )
            OR (
              (
                "t44"."n_ex_test_spikes" > 10
              ) AND (
                "t44"."n_in_test_spikes" > 10
              )
            )
          )
          AND (
            (
              "t44"."distance" IS NOT NULL
            )
            AND NOT (
              ISNAN("t44"."distance")
            )
            AND NOT (
              ISINF("t44"."distance")
            )
          )) AS "__adj_n",
        COUNT("t44"."id") FILTER(WHERE
          (
            (
              (
                "t44"."pre_cell_cell_class_nonsynaptic" = 'ex'
              )
              AND (
                "t44"."n_ex_test_spikes" > 10
              )
            )
            OR (
              (
                "t44"."pre_cell_cell_class_nonsynaptic" = 'in'
              )
              AND (
                "t44"."n_in_test_spikes" > 10
              )
            )
            OR (
              (
                "t44"."n_ex_test_spikes" > 10
              ) AND (
                "t44"."n_in_test_spikes" > 10
              )
            )
          )
          AND (
            (
              "t44"."distance" IS NOT NULL
            )
            AND NOT (
              ISNAN("t44"."distance")
            )
            AND NOT (
              ISINF("t44"."distance")
            )
          )
          AND (
            "t44"."synapse_id" IS NOT NULL
          )) AS "__adj_k",
        SUM(EXP(-(
          "t44"."distance" * "t44"."distance"
        ) / 2e-08)) FILTER(WHERE
          (
            (
              (
                "t44"."pre_cell_cell_class_nonsynaptic" = 'ex'
              )
              AND (
                "t44"."n_ex_test_spikes" > 10
              )
            )
            OR (
              (
                "t44"."pre_cell_cell_class_nonsynaptic" = 'in'
              )
              AND (
                "t44"."n_in_test_spikes" > 10
              )
            )
            OR (
              (
                "t44"."n_ex_test_spikes" > 10
              ) AND (
                "t44"."n_in_test_spikes" > 10
              )
            )
          )
          AND (
            (
              "t44"."distance" IS NOT NULL
            )
            AND NOT (
              ISNAN("t44"."distance")
            )
            AND NOT (
              ISINF("t44"."distance")
            )
          )) AS "__adj_w",
        COUNT("t44"."id") FILTER(WHERE
          "t44"."__gap_probed") AS "n_gaps_probed",
        COUNT("t44"."id") FILTER(WHERE
          "t44"."__gap_probed" AND (
            "t44"."has_electrical" = TRUE
          )) AS "n_gaps",
        COUNT("t44"."id") FILTER(WHERE
          "t44"."__gap_probed"
          AND (
            (
              "t44"."distance" IS NOT NULL
            )
            AND NOT (
              ISNAN("t44"."distance")
            )
            AND NOT (
              ISINF("t44"."distance")
            )
          )) AS "__gadj_n",
        COUNT("t44"."id") FILTER(WHERE
          "t44"."__gap_probed"
          AND (
            (
              "t44"."distance" IS NOT NULL
            )
            AND NOT (
              ISNAN("t44"."distance")
            )
            AND NOT (
              ISINF("t44"."distance")
            )
          )
          AND (
            "t44"."__gap_probed" AND (
              "t44"."has_electrical" = TRUE
            )
          )) AS "__gadj_k",
        SUM(EXP(-(
          "t44"."distance" * "t44"."distance"
        ) / 2e-08)) FILTER(WHERE
          "t44"."__gap_probed"
          AND (
            (
              "t44"."distance" IS NOT NULL
            )
            AND NOT (
              ISNAN("t44"."distance")
            )
            AND NOT (
              ISINF("t44"."distance")
            )
          )) AS "__gadj_w"
      FROM (
        SELECT
          "t42"."pre_class",
          "t43"."post_class",
          "t37"."id",
          "t37"."experiment_id",
          "t37"."pre_cell_id",
          "t37"."post_cell_id",
          "t37"."has_synapse",
          "t37"."has_polysynapse",
          "t37"."has_electrical",
          "t37"."crosstalk_artifact",
          "t37"."n_ex_test_spikes",
          "t37"."n_in_test_spikes",
          "t37"."distance",
          "t37"."lateral_distance",
          "t37"."vertical_distance",
          "t37"."reciprocal_id",
          "t37"."meta",
          "t37"."pre_cell_cell_class_nonsynaptic",
          "t37"."synapse_id",
          "t37"."pre_cell_electrode_id",
          "t37"."post_cell_electrode_id",
          (
            "t32"."__gj_pre" IS NOT NULL
          ) AND (
            "t33"."__gj_post" IS NOT NULL
          ) AS "__gap_probed"
        FROM (
          SELECT
            "t34"."id",
            "t34"."experiment_id",
            "t34"."pre_cell_id",
            "t34"."post_cell_id",
            "t34"."has_synapse",
            "t34"."has_polysynapse",
            "t34"."has_electrical",
            "t34"."crosstalk_artifact",
            "t34"."n_ex_test_spikes",
            "t34"."n_in_test_spikes",
            "t34"."distance",
            "t34"."lateral_distance",
            "t34"."vertical_distance",
            "t34"."reciprocal_id",
            "t34"."meta",
            "t34"."pre_cell_cell_class_nonsynaptic",
            "t34"."synapse_id",
            "t34"."pre_cell_electrode_id",
            "t34"."post_cell_electrode_id"
          FROM (
            SELECT
              "t9"."id",
              "t9"."experiment_id",
              "t9"."pre_cell_id",
              "t9"."post_cell_id",
              "t9"."has_synapse",
              "t9"."has_polysynapse",
              "t9"."has_electrical",
              "t9"."crosstalk_artifact",
              "t9"."n_ex_test_spikes",
              "t9"."n_in_test_spikes",
              "t9"."distance",
              "t9"."lateral_distance",
              "t9"."vertical_distance",
              "t9"."reciprocal_id",
              "t9"."meta",
              "t20"."experiment_ext_id",
              "t20"."experiment_slice_id",
              "t20"."experiment_project_name",
              "t20"."experiment_date",
              "t20"."experiment_target_region",
              "t20"."experiment_internal",
              "t20"."experiment_acsf",
              "t20"."experiment_target_temperature",
              "t20"."experiment_rig_name",
              "t20"."experiment_operator_name",
              "t20"."experiment_storage_path",
              "t20"."experiment_ephys_file",
              "t20"."experiment_acq_timestamp",
              "t20"."experiment_meta",
              "t21"."slice_id",
              "t21"."slice_ext_id",
              "t21"."slice_acq_timestamp",
              "t21"."slice_species",
              "t21"."slice_date_of_birth",
              "t21"."slice_age",
              "t21"."slice_sex",
              "t21"."slice_weight",
              "t21"."slice_genotype",
              "t21"."slice_orientation",
              "t21"."slice_surface",
              "t21"."slice_hemisphere",
              "t21"."slice_quality",
              "t21"."slice_slice_time",
              "t21"."slice_slice_conditions",
              "t21"."slice_lims_specimen_name",
              "t21"."slice_storage_path",
              "t21"."slice_meta",
              "t22"."pre_cell_experiment_id",
              "t22"."pre_cell_ext_id",
              "t22"."pre_cell_electrode_id",
              "t22"."pre_cell_cre_type",
              "t22"."pre_cell_target_layer",
              "t22"."pre_cell_position",
              "t22"."pre_cell_depth",
              "t22"."pre_cell_cell_class",
              "t22"."pre_cell_cell_class_nonsynaptic",
              "t22"."pre_cell_meta",
              "t23"."post_cell_experiment_id",
              "t23"."post_cell_ext_id",
              "t23"."post_cell_electrode_id",
              "t23"."post_cell_cre_type",
              "t23"."post_cell_target_layer",
              "t23"."post_cell_position",
              "t23"."post_cell_depth",
              "t23"."post_cell_cell_class",
              "t23"."post_cell_cell_class_nonsynaptic",
              "t23"."post_cell_meta",
              "t24"."synapse_id",
              "t24"."synapse_pair_id",
              "t24"."synapse_synapse_type",
              "t24"."synapse_latency",
              "t24"."synapse_psp_amplitude",
              "t24"."synapse_psp_rise_time",
              "t24"."synapse_psp_decay_tau",
              "t24"."synapse_psc_amplitude",
              "t24"."synapse_psc_rise_time",
              "t24"."synapse_psc_decay_tau",
              "t24"."synapse_meta"
            FROM "pair" AS "t9"
            INNER JOIN (
              SELECT
                "t2"."ext_id" AS "experiment_ext_id",
                "t2"."slice_id" AS "experiment_slice_id",
                "t2"."project_name" AS "experiment_project_name",
                "t2"."date" AS "experiment_date",
                "t2"."target_region" AS "experiment_target_region",
                "t2"."internal" AS "experiment_internal",
                "t2"."acsf" AS "experiment_acsf",
                "t2"."target_temperature" AS "experiment_target_temperature",
                "t2"."rig_name" AS "experiment_rig_name",
                "t2"."operator_name" AS "experiment_operator_name",
                "t2"."storage_path" AS "experiment_storage_path",
                "t2"."ephys_file" AS "experiment_ephys_file",
                "t2"."acq_timestamp" AS "experiment_acq_timestamp",
                "t2"."meta" AS "experiment_meta",
                "t2"."id" AS "__experiment_key"
              FROM "experiment" AS "t2"
            ) AS "t20"
              ON "t9"."experiment_id" = "t20"."__experiment_key"
            LEFT OUTER JOIN (
              SELECT
                "t3"."id" AS "slice_id",
                "t3"."ext_id" AS "slice_ext_id",
                "t3"."acq_timestamp" AS "slice_acq_timestamp",
                "t3"."species" AS "slice_species",
                "t3"."date_of_birth" AS "slice_date_of_birth",
                "t3"."age" AS "slice_age",
                "t3"."sex" AS "slice_sex",
                "t3"."weight" AS "slice_weight",
                "t3"."genotype" AS "slice_genotype",
                "t3"."orientation" AS "slice_orientation",
                "t3"."surface" AS "slice_surface",
                "t3"."hemisphere" AS "slice_hemisphere",
                "t3"."quality" AS "slice_quality",
                "t3"."slice_time" AS "slice_slice_time",
                "t3"."slice_conditions" AS "slice_slice_conditions",
                "t3"."lims_specimen_name" AS "slice_lims_specimen_name",
                "t3"."storage_path" AS "slice_storage_path",
                "t3"."meta" AS "slice_meta",
                "t3"."id" AS "__slice_key"
              FROM "slice" AS "t3"
            ) AS "t21"
              ON "t20"."experiment_slice_id" = "t21"."__slice_key"
            INNER JOIN (
              SELECT
                "t4"."experiment_id" AS "pre_cell_experiment_id",
                "t4"."ext_id" AS "pre_cell_ext_id",
                "t4"."electrode_id" AS "pre_cell_electrode_id",
                "t4"."cre_type" AS "pre_cell_cre_type",
                "t4"."target_layer" AS "pre_cell_target_layer",
                "t4"."position" AS "pre_cell_position",
                "t4"."depth" AS "pre_cell_depth",
                "t4"."cell_class" AS "pre_cell_cell_class",
                "t4"."cell_class_nonsynaptic" AS "pre_cell_cell_class_nonsynaptic",
                "t4"."meta" AS "pre_cell_meta",
                "t4"."id" AS "__pre_cell_key"
              FROM "cell" AS "t4"
            ) AS "t22"
              ON "t9"."pre_cell_id" = "t22"."__pre_cell_key"
            INNER JOIN (
              SELECT
                "t4"."experiment_id" AS "post_cell_experiment_id",
                "t4"."ext_id" AS "post_cell_ext_id",
                "t4"."electrode_id" AS "post_cell_electrode_id",
                "t4"."cre_type" AS "post_cell_cre_type",
                "t4"."target_layer" AS "post_cell_target_layer",
                "t4"."position" AS "post_cell_position",
                "t4"."depth" AS "post_cell_depth",
                "t4"."cell_class" AS "post_cell_cell_class",
                "t4"."cell_class_nonsynaptic" AS "post_cell_cell_class_nonsynaptic",
                "t4"."meta" AS "post_cell_meta",
                "t4"."id" AS "__post_cell_key"
              FROM "cell" AS "t4"
            ) AS "t23"
              ON "t9"."post_cell_id" = "t23"."__post_cell_key"
            LEFT OUTER JOIN (
              SELECT
                "t5"."id" AS "synapse_id",
                "t5"."pair_id" AS "synapse_pair_id",
                "t5"."synapse_type" AS "synapse_synapse_type",
                "t5"."latency" AS "synapse_latency",
                "t5"."psp_amplitude" AS "synapse_psp_amplitude",
                "t5"."psp_rise_time" AS "synapse_psp_rise_time",
                "t5"."psp_decay_tau" AS "synapse_psp_decay_tau",
                "t5"."psc_amplitude" AS "synapse_psc_amplitude",
                "t5"."psc_rise_time" AS "synapse_psc_rise_time",
                "t5"."psc_decay_tau" AS "synapse_psc_decay_tau",
                "t5"."meta" AS "synapse_meta",
                "t5"."pair_id" AS "__synapse_key"
              FROM "synapse" AS "t5"
            ) AS "t24"
              ON "t9"."id" = "t24"."__synapse_key"
          ) AS "t34"
          WHERE
            "t34"."slice_species" = 'mouse'
        ) AS "t37"
        INNER JOIN (
          SELECT
            "t39"."cell_id" AS "__pre_member",
            "t39"."class_name" AS "pre_class"
          FROM "t38" AS "t39"
        ) AS "t42"
          ON "t37"."pre_cell_id" = "t42"."__pre_member"
        INNER JOIN (
          SELECT
            "t39"."cell_id" AS "__post_member",
            "t39"."class_name" AS "post_class"
          FROM "t38" AS "t39"
        ) AS "t43"
          ON "t37"."post_cell_id" = "t43"."__post_member"
        LEFT OUTER JOIN (
          SELECT
            "t27"."electrode_id" AS "__gj_pre"
          FROM "t19" AS "t27"
        ) AS "t32"
          ON "t37"."pre_cell_electrode_id" = "t32"."__gj_pre"
        LEFT OUTER JOIN (
          SELECT
            "t27"."electrode_id" AS "__gj_post"
          FROM "t19" AS "t27"
        ) AS "t33"
          ON "t37"."post_cell_electrode_id" = "t33"."__gj_post"
      ) AS "t44"
      GROUP BY
        1,
        2
    ) AS "t46"
      ON "t29"."pre_class" = "t46"."pre_class" AND "t29"."post_class" = "t46"."post_class"
  ) AS "t47"
  ORDER BY
    "t47"."__order" ASC
) AS "t48"
