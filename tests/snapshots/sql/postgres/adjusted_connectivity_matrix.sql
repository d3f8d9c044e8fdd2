WITH "t11" AS (
  SELECT DISTINCT
    CAST("t1"."electrode_id" AS BIGINT) AS "electrode_id"
  FROM "recording" AS "t1"
  WHERE
    POSITION('TargetV' IN "t1"."stim_name") > 0
), "t40" AS (
  SELECT
    "t37"."id" AS "cell_id",
    UNNEST(
      ARRAY(SELECT
        __ibis_param_name__
      FROM UNNEST(ARRAY[
        CASE
          WHEN (
            "t37"."dendrite_type" = 'spiny'
          ) AND (
            "t37"."cortical_layer" = '2/3'
          )
          THEN 'l23pyr'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'pvalb'
          ) AND (
            "t37"."cortical_layer" = '2/3'
          )
          THEN 'l23pv'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'sst'
          ) AND (
            "t37"."cortical_layer" = '2/3'
          )
          THEN 'l23sst'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'vip'
          ) AND (
            "t37"."cortical_layer" = '2/3'
          )
          THEN 'l23vip'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN "t37"."cre_type" IN ('nr5a1', 'rorb') AND (
            "t37"."cortical_layer" = '4'
          )
          THEN 'l4pyr'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'pvalb'
          ) AND (
            "t37"."cortical_layer" = '4'
          )
          THEN 'l4pv'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'sst'
          ) AND (
            "t37"."cortical_layer" = '4'
          )
          THEN 'l4sst'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'vip'
          ) AND (
            "t37"."cortical_layer" = '4'
          )
          THEN 'l4vip'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN "t37"."cre_type" IN ('sim1', 'fam84b') AND (
            "t37"."cortical_layer" = '5'
          )
          THEN 'l5et'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'tlx3'
          ) AND (
            "t37"."cortical_layer" = '5'
          )
          THEN 'l5it'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'pvalb'
          ) AND (
            "t37"."cortical_layer" = '5'
          )
          THEN 'l5pv'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'sst'
          ) AND (
            "t37"."cortical_layer" = '5'
          )
          THEN 'l5sst'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'vip'
          ) AND (
            "t37"."cortical_layer" = '5'
          )
          THEN 'l5vip'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'ntsr1'
          ) AND "t37"."cortical_layer" IN ('6a', '6b')
          THEN 'l6pyr'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'pvalb'
          ) AND "t37"."cortical_layer" IN ('6a', '6b')
          THEN 'l6pv'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'sst'
          ) AND "t37"."cortical_layer" IN ('6a', '6b')
          THEN 'l6sst'
          ELSE CAST(NULL AS VARCHAR)
        END,
        CASE
          WHEN (
            "t37"."cre_type" = 'vip'
          ) AND "t37"."cortical_layer" IN ('6a', '6b')
          THEN 'l6vip'
          ELSE CAST(NULL AS VARCHAR)
        END
      ]) AS __ibis_param_name__
      WHERE
        __ibis_param_name__ IS NOT NULL)
    ) AS "class_name"
  FROM (
    SELECT
      "t26"."id",
      "t26"."experiment_id",
      "t26"."ext_id",
      "t26"."electrode_id",
      "t26"."cre_type",
      "t26"."target_layer",
      "t26"."position",
      "t26"."depth",
      "t26"."cell_class",
      "t26"."cell_class_nonsynaptic",
      "t26"."meta",
      "t28"."cell_id",
      "t28"."pyramidal",
      "t28"."qual_morpho_type",
      "t28"."dendrite_type",
      "t28"."apical_trunc_distance",
      "t28"."axon_trunc_distance",
      "t28"."apical_truncation",
      "t28"."axon_truncation",
      "t28"."axon_origin",
      "t29"."cortical_site_id",
      "t29"."cortical_layer",
      "t29"."distance_to_pia",
      "t29"."distance_to_wm",
      "t29"."fractional_depth",
      "t29"."layer_depth",
      "t29"."layer_thickness",
      "t29"."fractional_layer_depth"
    FROM (
      SELECT
        CAST("t4"."id" AS BIGINT) AS "id",
        CAST("t4"."experiment_id" AS BIGINT) AS "experiment_id",
        "t4"."ext_id",
        CAST("t4"."electrode_id" AS BIGINT) AS "electrode_id",
        "t4"."cre_type",
        "t4"."target_layer",
        NULLIF("t4"."position", 'null') AS "position",
        "t4"."depth",
        "t4"."cell_class",
        "t4"."cell_class_nonsynaptic",
        NULLIF("t4"."meta", 'null') AS "meta"
      FROM "cell" AS "t4"
    ) AS "t26"
    LEFT OUTER JOIN (
      SELECT
        CAST("t6"."cell_id" AS BIGINT) AS "__morphology_key",
        CAST("t6"."cell_id" AS BIGINT) AS "cell_id",
        "t6"."pyramidal",
        "t6"."qual_morpho_type",
        "t6"."dendrite_type",
        "t6"."apical_trunc_distance",
        "t6"."axon_trunc_distance",
        "t6"."apical_truncation",
        "t6"."axon_truncation",
        "t6"."axon_origin"
      FROM "morphology" AS "t6"
    ) AS "t28"
      ON "t26"."id" = "t28"."__morphology_key"
    LEFT OUTER JOIN (
      SELECT
        CAST("t7"."cell_id" AS BIGINT) AS "__cortical_cell_location_key",
        CAST("t7"."cortical_site_id" AS BIGINT) AS "cortical_site_id",
        "t7"."cortical_layer",
        "t7"."distance_to_pia",
        "t7"."distance_to_wm",
        "t7"."fractional_depth",
        "t7"."layer_depth",
        "t7"."layer_thickness",
        "t7"."fractional_layer_depth"
      FROM "cortical_cell_location" AS "t7"
    ) AS "t29"
      ON "t26"."id" = "t29"."__cortical_cell_location_key"
  ) AS "t37"
)
SELECT
  "t50"."pre_class",
  "t50"."post_class",
  "t50"."n_probed",
  "t50"."n_connected",
  "t50"."connection_probability",
  "t50"."ci_lower",
  "t50"."ci_upper",
  "t50"."adjusted_connection_probability",
  "t50"."adjusted_ci_lower",
  "t50"."adjusted_ci_upper",
  "t50"."n_gaps_probed",
  "t50"."n_gaps",
  "t50"."gap_probability",
  "t50"."gap_ci_lower",
  "t50"."gap_ci_upper",
  "t50"."adjusted_gap_probability",
  "t50"."adjusted_gap_ci_lower",
  "t50"."adjusted_gap_ci_upper"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t31"."pre_class",
      "t31"."post_class",
      COALESCE("t48"."n_probed", 0) AS "n_probed",
      COALESCE("t48"."n_connected", 0) AS "n_connected",
      CAST(COALESCE("t48"."n_connected", 0) AS DOUBLE PRECISION) / NULLIF(COALESCE("t48"."n_probed", 0), 0) AS "connection_probability",
      PG_TEMP.SYNPHYS_CI_LOWER(COALESCE("t48"."n_connected", 0), NULLIF(COALESCE("t48"."n_probed", 0), 0), 0.1) AS "ci_lower",
      PG_TEMP.SYNPHYS_CI_UPPER(COALESCE("t48"."n_connected", 0), NULLIF(COALESCE("t48"."n_probed", 0), 0), 0.1) AS "ci_upper",
      CAST(COALESCE("t48"."__adj_k", 0) AS DOUBLE PRECISION) / NULLIF("t48"."__adj_w", 0.0) AS "adjusted_connection_probability",
      PG_TEMP.SYNPHYS_CI_LOWER(COALESCE("t48"."__adj_k", 0), NULLIF(COALESCE("t48"."__adj_n", 0), 0), 0.1) * (
        CAST(COALESCE("t48"."__adj_n", 0) AS DOUBLE PRECISION) / NULLIF("t48"."__adj_w", 0.0)
      ) AS "adjusted_ci_lower",
      PG_TEMP.SYNPHYS_CI_UPPER(COALESCE("t48"."__adj_k", 0), NULLIF(COALESCE("t48"."__adj_n", 0), 0), 0.1) * (
        CAST(COALESCE("t48"."__adj_n", 0) AS DOUBLE PRECISION) / NULLIF("t48"."__adj_w", 0.0)
      ) AS "adjusted_ci_upper",
      COALESCE("t48"."n_gaps_probed", 0) AS "n_gaps_probed",
      COALESCE("t48"."n_gaps", 0) AS "n_gaps",
      CAST(COALESCE("t48"."n_gaps", 0) AS DOUBLE PRECISION) / NULLIF(COALESCE("t48"."n_gaps_probed", 0), 0) AS "gap_probability",
      PG_TEMP.SYNPHYS_CI_LOWER(COALESCE("t48"."n_gaps", 0), NULLIF(COALESCE("t48"."n_gaps_probed", 0), 0), 0.1) AS "gap_ci_lower",
      PG_TEMP.SYNPHYS_CI_UPPER(COALESCE("t48"."n_gaps", 0), NULLIF(COALESCE("t48"."n_gaps_probed", 0), 0), 0.1) AS "gap_ci_upper",
      CAST(COALESCE("t48"."__gadj_k", 0) AS DOUBLE PRECISION) / NULLIF("t48"."__gadj_w", 0.0) AS "adjusted_gap_probability",
      PG_TEMP.SYNPHYS_CI_LOWER(COALESCE("t48"."__gadj_k", 0), NULLIF(COALESCE("t48"."__gadj_n", 0), 0), 0.1) * (
        CAST(COALESCE("t48"."__gadj_n", 0) AS DOUBLE PRECISION) / NULLIF("t48"."__gadj_w", 0.0)
      ) AS "adjusted_gap_ci_lower",
      PG_TEMP.SYNPHYS_CI_UPPER(COALESCE("t48"."__gadj_k", 0), NULLIF(COALESCE("t48"."__gadj_n", 0), 0), 0.1) * (
        CAST(COALESCE("t48"."__gadj_n", 0) AS DOUBLE PRECISION) / NULLIF("t48"."__gadj_w", 0.0)
      ) AS "adjusted_gap_ci_upper",
      "t31"."__order"
    FROM (
      SELECT
        (
          ARRAY[
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
          ]
        )[CASE
          WHEN "t9"."__order" < 0
          THEN CARDINALITY(
            ARRAY[
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
            ]
          ) + (
            "t9"."__order" + 1
          )
          ELSE "t9"."__order" + 1
        END] AS "pre_class",
        (
          ARRAY[
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
          ]
        )[CASE
          WHEN "t9"."__order" < 0
          THEN CARDINALITY(
            ARRAY[
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
            ]
          ) + (
            "t9"."__order" + 1
          )
          ELSE "t9"."__order" + 1
        END] AS "post_class",
        "t9"."__order"
      FROM (
        SELECT
          UNNEST(
            ARRAY[
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
      ) AS "t9"
    ) AS "t31"
    LEFT OUTER JOIN (
      SELECT
        "t46"."pre_class",
        "t46"."post_class",
        COUNT("t46"."id") FILTER(WHERE
          (
            (
              "t46"."pre_cell_cell_class_nonsynaptic" = 'ex'
            )
            AND (
              "t46"."n_ex_test_spikes" > 10
            )
          )
          OR (
            (
              "t46"."pre_cell_cell_class_nonsynaptic" = 'in'
            )
            AND (
              "t46"."n_in_test_spikes" > 10
            )
          )
          OR (
            (
              "t46"."n_ex_test_spikes" > 10
            ) AND (
              "t46"."n_in_test_spikes" > 10
            )
          )) AS "n_probed",
        COUNT("t46"."id") FILTER(WHERE
          (
            (
              (
                "t46"."pre_cell_cell_class_nonsynaptic" = 'ex'
              )
              AND (
                "t46"."n_ex_test_spikes" > 10
              )
            )
            OR (
              (
                "t46"."pre_cell_cell_class_nonsynaptic" = 'in'
              )
              AND (
                "t46"."n_in_test_spikes" > 10
              )
            )
            OR (
              (
                "t46"."n_ex_test_spikes" > 10
              ) AND (
                "t46"."n_in_test_spikes" > 10
              )
            )
          )
          AND (
            "t46"."has_synapse" = TRUE
          )) AS "n_connected",
        COUNT("t46"."id") FILTER(WHERE
          (
            (
              (
                "t46"."pre_cell_cell_class_nonsynaptic" = 'ex'
              )
              AND (
                "t46"."n_ex_test_spikes" > 10
              )
            )
            OR (
              (
                "t46"."pre_cell_cell_class_nonsynaptic" = 'in'
              )
              AND (
                "t46"."n_in_test_spikes" > 10
              )
            )
            OR (
              (
                "t46"."n_ex_test_spikes" > 10
              ) AND (
                "t46"."n_in_test_spikes" > 10
              )
            )
          )
          AND (
            (
              "t46"."distance" IS NOT NULL
            )
            AND NOT (
              "t46"."distance" = CAST('NaN' AS DOUBLE PRECISION)
            )
            AND NOT (
              "t46"."distance" IN (CAST('Inf' AS DOUBLE PRECISION), -CAST('Inf' AS DOUBLE PRECISION))
            )
          )) AS "__adj_n",
        COUNT("t46"."id") FILTER(WHERE
          (
            (
              (
                "t46"."pre_cell_cell_class_nonsynaptic" = 'ex'
              )
              AND (
                "t46"."n_ex_test_spikes" > 10
              )
            )
            OR (
              (
                "t46"."pre_cell_cell_class_nonsynaptic" = 'in'
              )
              AND (
                "t46"."n_in_test_spikes" > 10
              )
            )
            OR (
              (
                "t46"."n_ex_test_spikes" > 10
              ) AND (
                "t46"."n_in_test_spikes" > 10
              )
            )
          )
          AND (
            (
              "t46"."distance" IS NOT NULL
            )
            AND NOT (
              "t46"."distance" = CAST('NaN' AS DOUBLE PRECISION)
            )
            AND NOT (
              "t46"."distance" IN (CAST('Inf' AS DOUBLE PRECISION), -CAST('Inf' AS DOUBLE PRECISION))
            )
          )
          AND (
            "t46"."synapse_id" IS NOT NULL
          )) AS "__adj_k",
        SUM(
          EXP(CAST(-(
            "t46"."distance" * "t46"."distance"
          ) AS DOUBLE PRECISION) / 2e-08)
        ) FILTER(WHERE
          (
            (
              (
                "t46"."pre_cell_cell_class_nonsynaptic" = 'ex'
              )
              AND (
                "t46"."n_ex_test_spikes" > 10
              )
            )
            OR (
              (
                "t46"."pre_cell_cell_class_nonsynaptic" = 'in'
              )
              AND (
                "t46"."n_in_test_spikes" > 10
              )
            )
            OR (
              (
                "t46"."n_ex_test_spikes" > 10
              ) AND (
                "t46"."n_in_test_spikes" > 10
              )
            )
          )
          AND (
            (
              "t46"."distance" IS NOT NULL
            )
            AND NOT (
              "t46"."distance" = CAST('NaN' AS DOUBLE PRECISION)
            )
            AND NOT (
              "t46"."distance" IN (CAST('Inf' AS DOUBLE PRECISION), -CAST('Inf' AS DOUBLE PRECISION))
            )
          )) AS "__adj_w",
        COUNT("t46"."id") FILTER(WHERE
          "t46"."__gap_probed") AS "n_gaps_probed",
        COUNT("t46"."id") FILTER(WHERE
          "t46"."__gap_probed" AND (
            "t46"."has_electrical" = TRUE
          )) AS "n_gaps",
        COUNT("t46"."id") FILTER(WHERE
          "t46"."__gap_probed"
          AND (
            (
              "t46"."distance" IS NOT NULL
            )
            AND NOT (
              "t46"."distance" = CAST('NaN' AS DOUBLE PRECISION)
            )
            AND NOT (
              "t46"."distance" IN (CAST('Inf' AS DOUBLE PRECISION), -CAST('Inf' AS DOUBLE PRECISION))
            )
          )) AS "__gadj_n",
        COUNT("t46"."id") FILTER(WHERE
          "t46"."__gap_probed"
          AND (
            (
              "t46"."distance" IS NOT NULL
            )
            AND NOT (
              "t46"."distance" = CAST('NaN' AS DOUBLE PRECISION)
            )
            AND NOT (
              "t46"."distance" IN (CAST('Inf' AS DOUBLE PRECISION), -CAST('Inf' AS DOUBLE PRECISION))
            )
          )
          AND (
            "t46"."__gap_probed" AND (
              "t46"."has_electrical" = TRUE
            )
          )) AS "__gadj_k",
        SUM(
          EXP(CAST(-(
            "t46"."distance" * "t46"."distance"
          ) AS DOUBLE PRECISION) / 2e-08)
        ) FILTER(WHERE
          "t46"."__gap_probed"
          AND (
            (
              "t46"."distance" IS NOT NULL
            )
            AND NOT (
              "t46"."distance" = CAST('NaN' AS DOUBLE PRECISION)
            )
            AND NOT (
              "t46"."distance" IN (CAST('Inf' AS DOUBLE PRECISION), -CAST('Inf' AS DOUBLE PRECISION))
            )
          )) AS "__gadj_w"
      FROM (
        SELECT
          "t44"."pre_class",
          "t45"."post_class",
          "t39"."id",
          "t39"."experiment_id",
          "t39"."pre_cell_id",
          "t39"."post_cell_id",
          "t39"."has_synapse",
          "t39"."has_polysynapse",
          "t39"."has_electrical",
          "t39"."crosstalk_artifact",
          "t39"."n_ex_test_spikes",
          "t39"."n_in_test_spikes",
          "t39"."distance",
          "t39"."lateral_distance",
          "t39"."vertical_distance",
          "t39"."reciprocal_id",
          "t39"."meta",
          "t39"."pre_cell_cell_class_nonsynaptic",
          "t39"."synapse_id",
          "t39"."pre_cell_electrode_id",
          "t39"."post_cell_electrode_id",
          (
            "t34"."__gj_pre" IS NOT NULL
          ) AND (
            "t35"."__gj_post" IS NOT NULL
          ) AS "__gap_probed"
        FROM (
          SELECT
            "t36"."id",
            "t36"."experiment_id",
            "t36"."pre_cell_id",
            "t36"."post_cell_id",
            "t36"."has_synapse",
            "t36"."has_polysynapse",
            "t36"."has_electrical",
            "t36"."crosstalk_artifact",
            "t36"."n_ex_test_spikes",
            "t36"."n_in_test_spikes",
            "t36"."distance",
            "t36"."lateral_distance",
            "t36"."vertical_distance",
            "t36"."reciprocal_id",
            "t36"."meta",
            "t36"."pre_cell_cell_class_nonsynaptic",
            "t36"."synapse_id",
            "t36"."pre_cell_electrode_id",
            "t36"."post_cell_electrode_id"
          FROM (
            SELECT
              "t20"."id",
              "t20"."experiment_id",
              "t20"."pre_cell_id",
              "t20"."post_cell_id",
              "t20"."has_synapse",
              "t20"."has_polysynapse",
              "t20"."has_electrical",
              "t20"."crosstalk_artifact",
              "t20"."n_ex_test_spikes",
              "t20"."n_in_test_spikes",
              "t20"."distance",
              "t20"."lateral_distance",
              "t20"."vertical_distance",
              "t20"."reciprocal_id",
              "t20"."meta",
              "t22"."experiment_ext_id",
              "t22"."experiment_slice_id",
              "t22"."experiment_project_name",
              "t22"."experiment_date",
              "t22"."experiment_target_region",
              "t22"."experiment_internal",
              "t22"."experiment_acsf",
              "t22"."experiment_target_temperature",
              "t22"."experiment_rig_name",
              "t22"."experiment_operator_name",
              "t22"."experiment_storage_path",
              "t22"."experiment_ephys_file",
              "t22"."experiment_acq_timestamp",
              "t22"."experiment_meta",
              "t23"."slice_id",
              "t23"."slice_ext_id",
              "t23"."slice_acq_timestamp",
              "t23"."slice_species",
              "t23"."slice_date_of_birth",
              "t23"."slice_age",
              "t23"."slice_sex",
              "t23"."slice_weight",
              "t23"."slice_genotype",
              "t23"."slice_orientation",
              "t23"."slice_surface",
              "t23"."slice_hemisphere",
              "t23"."slice_quality",
              "t23"."slice_slice_time",
              "t23"."slice_slice_conditions",
              "t23"."slice_lims_specimen_name",
              "t23"."slice_storage_path",
              "t23"."slice_meta",
              "t24"."pre_cell_experiment_id",
              "t24"."pre_cell_ext_id",
              "t24"."pre_cell_electrode_id",
              "t24"."pre_cell_cre_type",
              "t24"."pre_cell_target_layer",
              "t24"."pre_cell_position",
              "t24"."pre_cell_depth",
              "t24"."pre_cell_cell_class",
              "t24"."pre_cell_cell_class_nonsynaptic",
              "t24"."pre_cell_meta",
              "t25"."post_cell_experiment_id",
              "t25"."post_cell_ext_id",
              "t25"."post_cell_electrode_id",
              "t25"."post_cell_cre_type",
              "t25"."post_cell_target_layer",
              "t25"."post_cell_position",
              "t25"."post_cell_depth",
              "t25"."post_cell_cell_class",
              "t25"."post_cell_cell_class_nonsynaptic",
              "t25"."post_cell_meta",
              "t27"."synapse_id",
              "t27"."synapse_pair_id",
              "t27"."synapse_synapse_type",
              "t27"."synapse_latency",
              "t27"."synapse_psp_amplitude",
              "t27"."synapse_psp_rise_time",
              "t27"."synapse_psp_decay_tau",
              "t27"."synapse_psc_amplitude",
              "t27"."synapse_psc_rise_time",
              "t27"."synapse_psc_decay_tau",
              "t27"."synapse_meta"
            FROM (
              SELECT
                CAST("t0"."id" AS BIGINT) AS "id",
                CAST("t0"."experiment_id" AS BIGINT) AS "experiment_id",
                CAST("t0"."pre_cell_id" AS BIGINT) AS "pre_cell_id",
                CAST("t0"."post_cell_id" AS BIGINT) AS "post_cell_id",
                "t0"."has_synapse",
                "t0"."has_polysynapse",
                "t0"."has_electrical",
                "t0"."crosstalk_artifact",
                CAST("t0"."n_ex_test_spikes" AS BIGINT) AS "n_ex_test_spikes",
                CAST("t0"."n_in_test_spikes" AS BIGINT) AS "n_in_test_spikes",
                "t0"."distance",
                "t0"."lateral_distance",
                "t0"."vertical_distance",
                CAST("t0"."reciprocal_id" AS BIGINT) AS "reciprocal_id",
                NULLIF("t0"."meta", 'null') AS "meta"
              FROM "pair" AS "t0"
            ) AS "t20"
            INNER JOIN (
              SELECT
                "t2"."ext_id" AS "experiment_ext_id",
                CAST("t2"."slice_id" AS BIGINT) AS "experiment_slice_id",
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
                NULLIF("t2"."meta", 'null') AS "experiment_meta",
                CAST("t2"."id" AS BIGINT) AS "__experiment_key"
              FROM "experiment" AS "t2"
            ) AS "t22"
              ON "t20"."experiment_id" = "t22"."__experiment_key"
            LEFT OUTER JOIN (
              SELECT
                CAST("t3"."id" AS BIGINT) AS "slice_id",
                "t3"."ext_id" AS "slice_ext_id",
                "t3"."acq_timestamp" AS "slice_acq_timestamp",
                "t3"."species" AS "slice_species",
                "t3"."date_of_birth" AS "slice_date_of_birth",
                CAST("t3"."age" AS BIGINT) AS "slice_age",
                "t3"."sex" AS "slice_sex",
                "t3"."weight" AS "slice_weight",
                "t3"."genotype" AS "slice_genotype",
                "t3"."orientation" AS "slice_orientation",
                "t3"."surface" AS "slice_surface",
                "t3"."hemisphere" AS "slice_hemisphere",
                CAST("t3"."quality" AS BIGINT) AS "slice_quality",
                "t3"."slice_time" AS "slice_slice_time",
                NULLIF("t3"."slice_conditions", 'null') AS "slice_slice_conditions",
                "t3"."lims_specimen_name" AS "slice_lims_specimen_name",
                "t3"."storage_path" AS "slice_storage_path",
                NULLIF("t3"."meta", 'null') AS "slice_meta",
                CAST("t3"."id" AS BIGINT) AS "__slice_key"
              FROM "slice" AS "t3"
            ) AS "t23"
              ON "t22"."experiment_slice_id" = "t23"."__slice_key"
            INNER JOIN (
              SELECT
                CAST("t4"."experiment_id" AS BIGINT) AS "pre_cell_experiment_id",
                "t4"."ext_id" AS "pre_cell_ext_id",
                CAST("t4"."electrode_id" AS BIGINT) AS "pre_cell_electrode_id",
                "t4"."cre_type" AS "pre_cell_cre_type",
                "t4"."target_layer" AS "pre_cell_target_layer",
                NULLIF("t4"."position", 'null') AS "pre_cell_position",
                "t4"."depth" AS "pre_cell_depth",
                "t4"."cell_class" AS "pre_cell_cell_class",
                "t4"."cell_class_nonsynaptic" AS "pre_cell_cell_class_nonsynaptic",
                NULLIF("t4"."meta", 'null') AS "pre_cell_meta",
                CAST("t4"."id" AS BIGINT) AS "__pre_cell_key"
              FROM "cell" AS "t4"
            ) AS "t24"
              ON "t20"."pre_cell_id" = "t24"."__pre_cell_key"
            INNER JOIN (
              SELECT
                CAST("t4"."experiment_id" AS BIGINT) AS "post_cell_experiment_id",
                "t4"."ext_id" AS "post_cell_ext_id",
                CAST("t4"."electrode_id" AS BIGINT) AS "post_cell_electrode_id",
                "t4"."cre_type" AS "post_cell_cre_type",
                "t4"."target_layer" AS "post_cell_target_layer",
                NULLIF("t4"."position", 'null') AS "post_cell_position",
                "t4"."depth" AS "post_cell_depth",
                "t4"."cell_class" AS "post_cell_cell_class",
                "t4"."cell_class_nonsynaptic" AS "post_cell_cell_class_nonsynaptic",
                NULLIF("t4"."meta", 'null') AS "post_cell_meta",
                CAST("t4"."id" AS BIGINT) AS "__post_cell_key"
              FROM "cell" AS "t4"
            ) AS "t25"
              ON "t20"."post_cell_id" = "t25"."__post_cell_key"
            LEFT OUTER JOIN (
              SELECT
                CAST("t5"."id" AS BIGINT) AS "synapse_id",
                CAST("t5"."pair_id" AS BIGINT) AS "synapse_pair_id",
                "t5"."synapse_type" AS "synapse_synapse_type",
                "t5"."latency" AS "synapse_latency",
                "t5"."psp_amplitude" AS "synapse_psp_amplitude",
                "t5"."psp_rise_time" AS "synapse_psp_rise_time",
                "t5"."psp_decay_tau" AS "synapse_psp_decay_tau",
                "t5"."psc_amplitude" AS "synapse_psc_amplitude",
                "t5"."psc_rise_time" AS "synapse_psc_rise_time",
                "t5"."psc_decay_tau" AS "synapse_psc_decay_tau",
                NULLIF("t5"."meta", 'null') AS "synapse_meta",
                CAST("t5"."pair_id" AS BIGINT) AS "__synapse_key"
              FROM "synapse" AS "t5"
            ) AS "t27"
              ON "t20"."id" = "t27"."__synapse_key"
          ) AS "t36"
          WHERE
            "t36"."slice_species" = 'mouse'
        ) AS "t39"
        INNER JOIN (
          SELECT
            "t41"."cell_id" AS "__pre_member",
            "t41"."class_name" AS "pre_class"
          FROM "t40" AS "t41"
        ) AS "t44"
          ON "t39"."pre_cell_id" = "t44"."__pre_member"
        INNER JOIN (
          SELECT
            "t41"."cell_id" AS "__post_member",
            "t41"."class_name" AS "post_class"
          FROM "t40" AS "t41"
        ) AS "t45"
          ON "t39"."post_cell_id" = "t45"."__post_member"
        LEFT OUTER JOIN (
          SELECT
            "t21"."electrode_id" AS "__gj_pre"
          FROM "t11" AS "t21"
        ) AS "t34"
          ON "t39"."pre_cell_electrode_id" = "t34"."__gj_pre"
        LEFT OUTER JOIN (
          SELECT
            "t21"."electrode_id" AS "__gj_post"
          FROM "t11" AS "t21"
        ) AS "t35"
          ON "t39"."post_cell_electrode_id" = "t35"."__gj_post"
      ) AS "t46"
      GROUP BY
        1,
        2
    ) AS "t48"
      ON "t31"."pre_class" = "t48"."pre_class" AND "t31"."post_class" = "t48"."post_class"
  ) AS "t49"
  ORDER BY
    "t49"."__order" ASC
) AS "t50"
