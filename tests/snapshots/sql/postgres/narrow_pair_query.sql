SELECT
  "t23"."id",
  "t23"."experiment_id",
  "t23"."pre_cell_id",
  "t23"."post_cell_id",
  "t23"."has_synapse",
  "t23"."has_polysynapse",
  "t23"."has_electrical",
  "t23"."crosstalk_artifact",
  "t23"."n_ex_test_spikes",
  "t23"."n_in_test_spikes",
  "t23"."distance",
  "t23"."lateral_distance",
  "t23"."vertical_distance",
  "t23"."reciprocal_id",
  "t23"."meta"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t16"."id",
      "t16"."experiment_id",
      "t16"."pre_cell_id",
      "t16"."post_cell_id",
      "t16"."has_synapse",
      "t16"."has_polysynapse",
      "t16"."has_electrical",
      "t16"."crosstalk_artifact",
      "t16"."n_ex_test_spikes",
      "t16"."n_in_test_spikes",
      "t16"."distance",
      "t16"."lateral_distance",
      "t16"."vertical_distance",
      "t16"."reciprocal_id",
      "t16"."meta",
      "t17"."experiment_ext_id",
      "t17"."experiment_slice_id",
      "t17"."experiment_project_name",
      "t17"."experiment_date",
      "t17"."experiment_target_region",
      "t17"."experiment_internal",
      "t17"."experiment_acsf",
      "t17"."experiment_target_temperature",
      "t17"."experiment_rig_name",
      "t17"."experiment_operator_name",
      "t17"."experiment_storage_path",
      "t17"."experiment_ephys_file",
      "t17"."experiment_acq_timestamp",
      "t17"."experiment_meta",
      "t18"."slice_id",
      "t18"."slice_ext_id",
      "t18"."slice_acq_timestamp",
      "t18"."slice_species",
      "t18"."slice_date_of_birth",
      "t18"."slice_age",
      "t18"."slice_sex",
      "t18"."slice_weight",
      "t18"."slice_genotype",
      "t18"."slice_orientation",
      "t18"."slice_surface",
      "t18"."slice_hemisphere",
      "t18"."slice_quality",
      "t18"."slice_slice_time",
      "t18"."slice_slice_conditions",
      "t18"."slice_lims_specimen_name",
      "t18"."slice_storage_path",
      "t18"."slice_meta",
      "t13"."pre_cell_experiment_id",
      "t13"."pre_cell_ext_id",
      "t13"."pre_cell_electrode_id",
      "t13"."pre_cell_cre_type",
      "t13"."pre_cell_target_layer",
      "t13"."pre_cell_position",
      "t13"."pre_cell_depth",
      "t13"."pre_cell_cell_class",
      "t13"."pre_cell_cell_class_nonsynaptic",
      "t13"."pre_cell_meta",
      "t14"."post_cell_experiment_id",
      "t14"."post_cell_ext_id",
      "t14"."post_cell_electrode_id",
      "t14"."post_cell_cre_type",
      "t14"."post_cell_target_layer",
      "t14"."post_cell_position",
      "t14"."post_cell_depth",
      "t14"."post_cell_cell_class",
      "t14"."post_cell_cell_class_nonsynaptic",
      "t14"."post_cell_meta"
    FROM (
      SELECT
        CAST("t1"."id" AS BIGINT) AS "id",
        CAST("t1"."experiment_id" AS BIGINT) AS "experiment_id",
        CAST("t1"."pre_cell_id" AS BIGINT) AS "pre_cell_id",
        CAST("t1"."post_cell_id" AS BIGINT) AS "post_cell_id",
        "t1"."has_synapse",
        "t1"."has_polysynapse",
        "t1"."has_electrical",
        "t1"."crosstalk_artifact",
        CAST("t1"."n_ex_test_spikes" AS BIGINT) AS "n_ex_test_spikes",
        CAST("t1"."n_in_test_spikes" AS BIGINT) AS "n_in_test_spikes",
        "t1"."distance",
        "t1"."lateral_distance",
        "t1"."vertical_distance",
        CAST("t1"."reciprocal_id" AS BIGINT) AS "reciprocal_id",
        NULLIF("t1"."meta", 'null') AS "meta"
      FROM "pair" AS "t1"
    ) AS "t16"
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
    ) AS "t17"
      ON "t16"."experiment_id" = "t17"."__experiment_key"
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
    ) AS "t18"
      ON "t17"."experiment_slice_id" = "t18"."__slice_key"
    INNER JOIN (
      SELECT
        CAST("t0"."experiment_id" AS BIGINT) AS "pre_cell_experiment_id",
        "t0"."ext_id" AS "pre_cell_ext_id",
        CAST("t0"."electrode_id" AS BIGINT) AS "pre_cell_electrode_id",
        "t0"."cre_type" AS "pre_cell_cre_type",
        "t0"."target_layer" AS "pre_cell_target_layer",
        NULLIF("t0"."position", 'null') AS "pre_cell_position",
        "t0"."depth" AS "pre_cell_depth",
        "t0"."cell_class" AS "pre_cell_cell_class",
        "t0"."cell_class_nonsynaptic" AS "pre_cell_cell_class_nonsynaptic",
        NULLIF("t0"."meta", 'null') AS "pre_cell_meta",
        CAST("t0"."id" AS BIGINT) AS "__pre_cell_key"
      FROM "cell" AS "t0"
    ) AS "t13"
      ON "t16"."pre_cell_id" = "t13"."__pre_cell_key"
    INNER JOIN (
      SELECT
        CAST("t0"."experiment_id" AS BIGINT) AS "post_cell_experiment_id",
        "t0"."ext_id" AS "post_cell_ext_id",
        CAST("t0"."electrode_id" AS BIGINT) AS "post_cell_electrode_id",
        "t0"."cre_type" AS "post_cell_cre_type",
        "t0"."target_layer" AS "post_cell_target_layer",
        NULLIF("t0"."position", 'null') AS "post_cell_position",
        "t0"."depth" AS "post_cell_depth",
        "t0"."cell_class" AS "post_cell_cell_class",
        "t0"."cell_class_nonsynaptic" AS "post_cell_cell_class_nonsynaptic",
        NULLIF("t0"."meta", 'null') AS "post_cell_meta",
        CAST("t0"."id" AS BIGINT) AS "__post_cell_key"
      FROM "cell" AS "t0"
    ) AS "t14"
      ON "t16"."post_cell_id" = "t14"."__post_cell_key"
  ) AS "t20"
  WHERE
    "t20"."distance" >= 0.0
    AND "t20"."distance" <= 0.0001
    AND "t20"."slice_species" = 'mouse'
    AND "t20"."pre_cell_id" IN (
      SELECT
        CAST("t0"."id" AS BIGINT) AS "id"
      FROM "cell" AS "t0"
      WHERE
        "t0"."cre_type" IN ('sst', 'pvalb', 'vip')
    )
    AND "t20"."post_cell_id" IN (
      SELECT
        "t21"."id"
      FROM (
        SELECT
          "t15"."id",
          "t15"."experiment_id",
          "t15"."ext_id",
          "t15"."electrode_id",
          "t15"."cre_type",
          "t15"."target_layer",
          "t15"."position",
          "t15"."depth",
          "t15"."cell_class",
          "t15"."cell_class_nonsynaptic",
          "t15"."meta",
          "t19"."cortical_site_id",
          "t19"."cortical_layer",
          "t19"."distance_to_pia",
          "t19"."distance_to_wm",
          "t19"."fractional_depth",
          "t19"."layer_depth",
          "t19"."layer_thickness",
          "t19"."fractional_layer_depth"
        FROM (
          SELECT
            CAST("t0"."id" AS BIGINT) AS "id",
            CAST("t0"."experiment_id" AS BIGINT) AS "experiment_id",
            "t0"."ext_id",
            CAST("t0"."electrode_id" AS BIGINT) AS "electrode_id",
            "t0"."cre_type",
            "t0"."target_layer",
            NULLIF("t0"."position", 'null') AS "position",
            "t0"."depth",
            "t0"."cell_class",
            "t0"."cell_class_nonsynaptic",
            NULLIF("t0"."meta", 'null') AS "meta"
          FROM "cell" AS "t0"
        ) AS "t15"
        LEFT OUTER JOIN (
          SELECT
            CAST("t4"."cell_id" AS BIGINT) AS "__cortical_cell_location_key",
            CAST("t4"."cortical_site_id" AS BIGINT) AS "cortical_site_id",
            "t4"."cortical_layer",
            "t4"."distance_to_pia",
            "t4"."distance_to_wm",
            "t4"."fractional_depth",
            "t4"."layer_depth",
            "t4"."layer_thickness",
            "t4"."fractional_layer_depth"
          FROM "cortical_cell_location" AS "t4"
        ) AS "t19"
          ON "t15"."id" = "t19"."__cortical_cell_location_key"
      ) AS "t21"
      WHERE
        "t21"."cortical_layer" = '5'
    )
) AS "t23"
