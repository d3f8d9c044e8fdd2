WITH "t28" AS (
  SELECT
    "t25"."id" AS "cell_id",
    UNNEST(
      LIST_FILTER(
        CAST([
          CASE
            WHEN (
              "t25"."dendrite_type" = 'spiny'
            ) AND (
              "t25"."cortical_layer" = '2/3'
            )
            THEN 'l23pyr'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'pvalb'
            ) AND (
              "t25"."cortical_layer" = '2/3'
            )
            THEN 'l23pv'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'sst'
            ) AND (
              "t25"."cortical_layer" = '2/3'
            )
            THEN 'l23sst'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'vip'
            ) AND (
              "t25"."cortical_layer" = '2/3'
            )
            THEN 'l23vip'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN "t25"."cre_type" IN ('nr5a1', 'rorb') AND (
              "t25"."cortical_layer" = '4'
            )
            THEN 'l4pyr'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'pvalb'
            ) AND (
              "t25"."cortical_layer" = '4'
            )
            THEN 'l4pv'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'sst'
            ) AND (
              "t25"."cortical_layer" = '4'
            )
            THEN 'l4sst'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'vip'
            ) AND (
              "t25"."cortical_layer" = '4'
            )
            THEN 'l4vip'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN "t25"."cre_type" IN ('sim1', 'fam84b') AND (
              "t25"."cortical_layer" = '5'
            )
            THEN 'l5et'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'tlx3'
            ) AND (
              "t25"."cortical_layer" = '5'
            )
            THEN 'l5it'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'pvalb'
            ) AND (
              "t25"."cortical_layer" = '5'
            )
            THEN 'l5pv'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'sst'
            ) AND (
              "t25"."cortical_layer" = '5'
            )
            THEN 'l5sst'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'vip'
            ) AND (
              "t25"."cortical_layer" = '5'
            )
            THEN 'l5vip'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'ntsr1'
            ) AND "t25"."cortical_layer" IN ('6a', '6b')
            THEN 'l6pyr'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'pvalb'
            ) AND "t25"."cortical_layer" IN ('6a', '6b')
            THEN 'l6pv'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'sst'
            ) AND "t25"."cortical_layer" IN ('6a', '6b')
            THEN 'l6sst'
            ELSE CAST(NULL AS TEXT)
          END,
          CASE
            WHEN (
              "t25"."cre_type" = 'vip'
            ) AND "t25"."cortical_layer" IN ('6a', '6b')
            THEN 'l6vip'
            ELSE CAST(NULL AS TEXT)
          END
        ] AS TEXT[]),
        __ibis_param_name__ -> __ibis_param_name__ IS NOT NULL
      )
    ) AS "class_name"
  FROM (
    SELECT
      "t8"."id",
      "t8"."experiment_id",
      "t8"."ext_id",
      "t8"."electrode_id",
      "t8"."cre_type",
      "t8"."target_layer",
      "t8"."position",
      "t8"."depth",
      "t8"."cell_class",
      "t8"."cell_class_nonsynaptic",
      "t8"."meta",
      "t20"."cell_id",
      "t20"."pyramidal",
      "t20"."qual_morpho_type",
      "t20"."dendrite_type",
      "t20"."apical_trunc_distance",
      "t20"."axon_trunc_distance",
      "t20"."apical_truncation",
      "t20"."axon_truncation",
      "t20"."axon_origin",
      "t21"."cortical_site_id",
      "t21"."cortical_layer",
      "t21"."distance_to_pia",
      "t21"."distance_to_wm",
      "t21"."fractional_depth",
      "t21"."layer_depth",
      "t21"."layer_thickness",
      "t21"."fractional_layer_depth"
    FROM "cell" AS "t8"
    LEFT OUTER JOIN (
      SELECT
        "t4"."cell_id" AS "__morphology_key",
        "t4"."cell_id",
        "t4"."pyramidal",
        "t4"."qual_morpho_type",
        "t4"."dendrite_type",
        "t4"."apical_trunc_distance",
        "t4"."axon_trunc_distance",
        "t4"."apical_truncation",
        "t4"."axon_truncation",
        "t4"."axon_origin"
      FROM "morphology" AS "t4"
    ) AS "t20"
      ON "t8"."id" = "t20"."__morphology_key"
    LEFT OUTER JOIN (
      SELECT
        "t5"."cell_id" AS "__cortical_cell_location_key",
        "t5"."cortical_site_id",
        "t5"."cortical_layer",
        "t5"."distance_to_pia",
        "t5"."distance_to_wm",
        "t5"."fractional_depth",
        "t5"."layer_depth",
        "t5"."layer_thickness",
        "t5"."fractional_layer_depth"
      FROM "cortical_cell_location" AS "t5"
    ) AS "t21"
      ON "t8"."id" = "t21"."__cortical_cell_location_key"
  ) AS "t25"
)
SELECT
  "t38".*
  EXCLUDE ("__order")
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t23"."pre_class",
      "t23"."post_class",
      COALESCE("t36"."n_probed", 0) AS "n_probed",
      COALESCE("t36"."n_connected", 0) AS "n_connected",
      CAST(COALESCE("t36"."n_connected", 0) AS DOUBLE) / NULLIF(COALESCE("t36"."n_probed", 0), 0) AS "connection_probability",
      SYNPHYS_CI_LOWER(COALESCE("t36"."n_connected", 0), NULLIF(COALESCE("t36"."n_probed", 0), 0), 0.05) AS "ci_lower",
      SYNPHYS_CI_UPPER(COALESCE("t36"."n_connected", 0), NULLIF(COALESCE("t36"."n_probed", 0), 0), 0.05) AS "ci_upper",
      "t23"."__order"
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
          "t9"."__order" + CAST("t9"."__order" >= 0 AS BIGINT)
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
          "t9"."__order" + CAST("t9"."__order" >= 0 AS BIGINT)
        ) AS "post_class",
        "t9"."__order"
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
        ) AS "t6"
      ) AS "t9"
    ) AS "t23"
    LEFT OUTER JOIN (
      SELECT
        "t34"."pre_class",
        "t34"."post_class",
        COUNT("t34"."id") FILTER(WHERE
          (
            (
              "t34"."pre_cell_cell_class_nonsynaptic" = 'ex'
            )
            AND (
              "t34"."n_ex_test_spikes" > 10
            )
          )
          OR (
            (
              "t34"."pre_cell_cell_class_nonsynaptic" = 'in'
            )
            AND (
              "t34"."n_in_test_spikes" > 10
            )
          )
          OR (
            (
              "t34"."n_ex_test_spikes" > 10
            ) AND (
              "t34"."n_in_test_spikes" > 10
            )
          )) AS "n_probed",
        COUNT("t34"."id") FILTER(WHERE
          (
            (
              (
                "t34"."pre_cell_cell_class_nonsynaptic" = 'ex'
              )
              AND (
                "t34"."n_ex_test_spikes" > 10
              )
            )
            OR (
              (
                "t34"."pre_cell_cell_class_nonsynaptic" = 'in'
              )
              AND (
                "t34"."n_in_test_spikes" > 10
              )
            )
            OR (
              (
                "t34"."n_ex_test_spikes" > 10
              ) AND (
                "t34"."n_in_test_spikes" > 10
              )
            )
          )
          AND (
            "t34"."has_synapse" = TRUE
          )) AS "n_connected"
      FROM (
        SELECT
          "t32"."pre_class",
          "t33"."post_class",
          "t27"."id",
          "t27"."experiment_id",
          "t27"."pre_cell_id",
          "t27"."post_cell_id",
          "t27"."has_synapse",
          "t27"."has_polysynapse",
          "t27"."has_electrical",
          "t27"."crosstalk_artifact",
          "t27"."n_ex_test_spikes",
          "t27"."n_in_test_spikes",
          "t27"."distance",
          "t27"."lateral_distance",
          "t27"."vertical_distance",
          "t27"."reciprocal_id",
          "t27"."meta",
          "t27"."pre_cell_cell_class_nonsynaptic"
        FROM (
          SELECT
            "t24"."id",
            "t24"."experiment_id",
            "t24"."pre_cell_id",
            "t24"."post_cell_id",
            "t24"."has_synapse",
            "t24"."has_polysynapse",
            "t24"."has_electrical",
            "t24"."crosstalk_artifact",
            "t24"."n_ex_test_spikes",
            "t24"."n_in_test_spikes",
            "t24"."distance",
            "t24"."lateral_distance",
            "t24"."vertical_distance",
            "t24"."reciprocal_id",
            "t24"."meta",
            "t24"."pre_cell_cell_class_nonsynaptic"
          FROM (
            SELECT
              "t7"."id",
              "t7"."experiment_id",
              "t7"."pre_cell_id",
              "t7"."post_cell_id",
              "t7"."has_synapse",
              "t7"."has_polysynapse",
              "t7"."has_electrical",
              "t7"."crosstalk_artifact",
              "t7"."n_ex_test_spikes",
              "t7"."n_in_test_spikes",
              "t7"."distance",
              "t7"."lateral_distance",
              "t7"."vertical_distance",
              "t7"."reciprocal_id",
              "t7"."meta",
              "t16"."experiment_ext_id",
              "t16"."experiment_slice_id",
              "t16"."experiment_project_name",
              "t16"."experiment_date",
              "t16"."experiment_target_region",
              "t16"."experiment_internal",
              "t16"."experiment_acsf",
              "t16"."experiment_target_temperature",
              "t16"."experiment_rig_name",
              "t16"."experiment_operator_name",
              "t16"."experiment_storage_path",
              "t16"."experiment_ephys_file",
              "t16"."experiment_acq_timestamp",
              "t16"."experiment_meta",
              "t17"."slice_id",
              "t17"."slice_ext_id",
              "t17"."slice_acq_timestamp",
              "t17"."slice_species",
              "t17"."slice_date_of_birth",
              "t17"."slice_age",
              "t17"."slice_sex",
              "t17"."slice_weight",
              "t17"."slice_genotype",
              "t17"."slice_orientation",
              "t17"."slice_surface",
              "t17"."slice_hemisphere",
              "t17"."slice_quality",
              "t17"."slice_slice_time",
              "t17"."slice_slice_conditions",
              "t17"."slice_lims_specimen_name",
              "t17"."slice_storage_path",
              "t17"."slice_meta",
              "t18"."pre_cell_experiment_id",
              "t18"."pre_cell_ext_id",
              "t18"."pre_cell_electrode_id",
              "t18"."pre_cell_cre_type",
              "t18"."pre_cell_target_layer",
              "t18"."pre_cell_position",
              "t18"."pre_cell_depth",
              "t18"."pre_cell_cell_class",
              "t18"."pre_cell_cell_class_nonsynaptic",
              "t18"."pre_cell_meta",
              "t19"."post_cell_experiment_id",
              "t19"."post_cell_ext_id",
              "t19"."post_cell_electrode_id",
              "t19"."post_cell_cre_type",
              "t19"."post_cell_target_layer",
              "t19"."post_cell_position",
              "t19"."post_cell_depth",
              "t19"."post_cell_cell_class",
              "t19"."post_cell_cell_class_nonsynaptic",
              "t19"."post_cell_meta"
            FROM "pair" AS "t7"
            INNER JOIN (
              SELECT
                "t1"."ext_id" AS "experiment_ext_id",
                "t1"."slice_id" AS "experiment_slice_id",
                "t1"."project_name" AS "experiment_project_name",
                "t1"."date" AS "experiment_date",
                "t1"."target_region" AS "experiment_target_region",
                "t1"."internal" AS "experiment_internal",
                "t1"."acsf" AS "experiment_acsf",
                "t1"."target_temperature" AS "experiment_target_temperature",
                "t1"."rig_name" AS "experiment_rig_name",
                "t1"."operator_name" AS "experiment_operator_name",
                "t1"."storage_path" AS "experiment_storage_path",
                "t1"."ephys_file" AS "experiment_ephys_file",
                "t1"."acq_timestamp" AS "experiment_acq_timestamp",
                "t1"."meta" AS "experiment_meta",
                "t1"."id" AS "__experiment_key"
              FROM "experiment" AS "t1"
            ) AS "t16"
              ON "t7"."experiment_id" = "t16"."__experiment_key"
            LEFT OUTER JOIN (
              SELECT
                "t2"."id" AS "slice_id",
                "t2"."ext_id" AS "slice_ext_id",
                "t2"."acq_timestamp" AS "slice_acq_timestamp",
                "t2"."species" AS "slice_species",
                "t2"."date_of_birth" AS "slice_date_of_birth",
                "t2"."age" AS "slice_age",
                "t2"."sex" AS "slice_sex",
                "t2"."weight" AS "slice_weight",
                "t2"."genotype" AS "slice_genotype",
                "t2"."orientation" AS "slice_orientation",
                "t2"."surface" AS "slice_surface",
                "t2"."hemisphere" AS "slice_hemisphere",
                "t2"."quality" AS "slice_quality",
                "t2"."slice_time" AS "slice_slice_time",
                "t2"."slice_conditions" AS "slice_slice_conditions",
                "t2"."lims_specimen_name" AS "slice_lims_specimen_name",
                "t2"."storage_path" AS "slice_storage_path",
                "t2"."meta" AS "slice_meta",
                "t2"."id" AS "__slice_key"
              FROM "slice" AS "t2"
            ) AS "t17"
              ON "t16"."experiment_slice_id" = "t17"."__slice_key"
            INNER JOIN (
              SELECT
                "t3"."experiment_id" AS "pre_cell_experiment_id",
                "t3"."ext_id" AS "pre_cell_ext_id",
                "t3"."electrode_id" AS "pre_cell_electrode_id",
                "t3"."cre_type" AS "pre_cell_cre_type",
                "t3"."target_layer" AS "pre_cell_target_layer",
                "t3"."position" AS "pre_cell_position",
                "t3"."depth" AS "pre_cell_depth",
                "t3"."cell_class" AS "pre_cell_cell_class",
                "t3"."cell_class_nonsynaptic" AS "pre_cell_cell_class_nonsynaptic",
                "t3"."meta" AS "pre_cell_meta",
                "t3"."id" AS "__pre_cell_key"
              FROM "cell" AS "t3"
            ) AS "t18"
              ON "t7"."pre_cell_id" = "t18"."__pre_cell_key"
            INNER JOIN (
              SELECT
                "t3"."experiment_id" AS "post_cell_experiment_id",
                "t3"."ext_id" AS "post_cell_ext_id",
                "t3"."electrode_id" AS "post_cell_electrode_id",
                "t3"."cre_type" AS "post_cell_cre_type",
                "t3"."target_layer" AS "post_cell_target_layer",
                "t3"."position" AS "post_cell_position",
                "t3"."depth" AS "post_cell_depth",
                "t3"."cell_class" AS "post_cell_cell_class",
                "t3"."cell_class_nonsynaptic" AS "post_cell_cell_class_nonsynaptic",
                "t3"."meta" AS "post_cell_meta",
                "t3"."id" AS "__post_cell_key"
              FROM "cell" AS "t3"
            ) AS "t19"
              ON "t7"."post_cell_id" = "t19"."__post_cell_key"
          ) AS "t24"
          WHERE
            "t24"."slice_species" = 'mouse'
        ) AS "t27"
        INNER JOIN (
          SELECT
            "t29"."cell_id" AS "__pre_member",
            "t29"."class_name" AS "pre_class"
          FROM "t28" AS "t29"
        ) AS "t32"
          ON "t27"."pre_cell_id" = "t32"."__pre_member"
        INNER JOIN (
          SELECT
            "t29"."cell_id" AS "__post_member",
            "t29"."class_name" AS "post_class"
          FROM "t28" AS "t29"
        ) AS "t33"
          ON "t27"."post_cell_id" = "t33"."__post_member"
      ) AS "t34"
      GROUP BY
        1,
        2
    ) AS "t36"
      ON "t23"."pre_class" = "t36"."pre_class" AND "t23"."post_class" = "t36"."post_class"
  ) AS "t37"
  ORDER BY
    "t37"."__order" ASC
) AS "t38"
