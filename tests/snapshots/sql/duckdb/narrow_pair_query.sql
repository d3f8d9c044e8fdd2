SELECT
  "t21"."id",
  "t21"."experiment_id",
  "t21"."pre_cell_id",
  "t21"."post_cell_id",
  "t21"."has_synapse",
  "t21"."has_polysynapse",
  "t21"."has_electrical",
  "t21"."crosstalk_artifact",
  "t21"."n_ex_test_spikes",
  "t21"."n_in_test_spikes",
  "t21"."distance",
  "t21"."lateral_distance",
  "t21"."vertical_distance",
  "t21"."reciprocal_id",
  "t21"."meta"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t5"."id",
      "t5"."experiment_id",
      "t5"."pre_cell_id",
      "t5"."post_cell_id",
      "t5"."has_synapse",
      "t5"."has_polysynapse",
      "t5"."has_electrical",
      "t5"."crosstalk_artifact",
      "t5"."n_ex_test_spikes",
      "t5"."n_in_test_spikes",
      "t5"."distance",
      "t5"."lateral_distance",
      "t5"."vertical_distance",
      "t5"."reciprocal_id",
      "t5"."meta",
      "t15"."experiment_ext_id",
      "t15"."experiment_slice_id",
      "t15"."experiment_project_name",
      "t15"."experiment_date",
      "t15"."experiment_target_region",
      "t15"."experiment_internal",
      "t15"."experiment_acsf",
      "t15"."experiment_target_temperature",
      "t15"."experiment_rig_name",
      "t15"."experiment_operator_name",
      "t15"."experiment_storage_path",
      "t15"."experiment_ephys_file",
      "t15"."experiment_acq_timestamp",
      "t15"."experiment_meta",
      "t16"."slice_id",
      "t16"."slice_ext_id",
      "t16"."slice_acq_timestamp",
      "t16"."slice_species",
      "t16"."slice_date_of_birth",
      "t16"."slice_age",
      "t16"."slice_sex",
      "t16"."slice_weight",
      "t16"."slice_genotype",
      "t16"."slice_orientation",
      "t16"."slice_surface",
      "t16"."slice_hemisphere",
      "t16"."slice_quality",
      "t16"."slice_slice_time",
      "t16"."slice_slice_conditions",
      "t16"."slice_lims_specimen_name",
      "t16"."slice_storage_path",
      "t16"."slice_meta",
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
    FROM "pair" AS "t5"
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
    ) AS "t15"
      ON "t5"."experiment_id" = "t15"."__experiment_key"
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
    ) AS "t16"
      ON "t15"."experiment_slice_id" = "t16"."__slice_key"
    INNER JOIN (
      SELECT
        "t1"."experiment_id" AS "pre_cell_experiment_id",
        "t1"."ext_id" AS "pre_cell_ext_id",
        "t1"."electrode_id" AS "pre_cell_electrode_id",
        "t1"."cre_type" AS "pre_cell_cre_type",
        "t1"."target_layer" AS "pre_cell_target_layer",
        "t1"."position" AS "pre_cell_position",
        "t1"."depth" AS "pre_cell_depth",
        "t1"."cell_class" AS "pre_cell_cell_class",
        "t1"."cell_class_nonsynaptic" AS "pre_cell_cell_class_nonsynaptic",
        "t1"."meta" AS "pre_cell_meta",
        "t1"."id" AS "__pre_cell_key"
      FROM "cell" AS "t1"
    ) AS "t13"
      ON "t5"."pre_cell_id" = "t13"."__pre_cell_key"
    INNER JOIN (
      SELECT
        "t1"."experiment_id" AS "post_cell_experiment_id",
        "t1"."ext_id" AS "post_cell_ext_id",
        "t1"."electrode_id" AS "post_cell_electrode_id",
        "t1"."cre_type" AS "post_cell_cre_type",
        "t1"."target_layer" AS "post_cell_target_layer",
        "t1"."position" AS "post_cell_position",
        "t1"."depth" AS "post_cell_depth",
        "t1"."cell_class" AS "post_cell_cell_class",
        "t1"."cell_class_nonsynaptic" AS "post_cell_cell_class_nonsynaptic",
        "t1"."meta" AS "post_cell_meta",
        "t1"."id" AS "__post_cell_key"
      FROM "cell" AS "t1"
    ) AS "t14"
      ON "t5"."post_cell_id" = "t14"."__post_cell_key"
  ) AS "t18"
  WHERE
    "t18"."distance" >= 0.0
    AND "t18"."distance" <= 0.0001
    AND "t18"."slice_species" = 'mouse'
    AND "t18"."pre_cell_id" IN (
      SELECT
        "t1"."id"
      FROM "cell" AS "t1"
      WHERE
        "t1"."cre_type" IN ('sst', 'pvalb', 'vip')
    )
    AND "t18"."post_cell_id" IN (
      SELECT
        "t19"."id"
      FROM (
        SELECT
          "t6"."id",
          "t6"."experiment_id",
          "t6"."ext_id",
          "t6"."electrode_id",
          "t6"."cre_type",
          "t6"."target_layer",
          "t6"."position",
          "t6"."depth",
          "t6"."cell_class",
          "t6"."cell_class_nonsynaptic",
          "t6"."meta",
          "t17"."cortical_site_id",
          "t17"."cortical_layer",
          "t17"."distance_to_pia",
          "t17"."distance_to_wm",
          "t17"."fractional_depth",
          "t17"."layer_depth",
          "t17"."layer_thickness",
          "t17"."fractional_layer_depth"
        FROM "cell" AS "t6"
        LEFT OUTER JOIN (
          SELECT
            "t4"."cell_id" AS "__cortical_cell_location_key",
            "t4"."cortical_site_id",
            "t4"."cortical_layer",
            "t4"."distance_to_pia",
            "t4"."distance_to_wm",
            "t4"."fractional_depth",
            "t4"."layer_depth",
            "t4"."layer_thickness",
            "t4"."fractional_layer_depth"
          FROM "cortical_cell_location" AS "t4"
        ) AS "t17"
          ON "t6"."id" = "t17"."__cortical_cell_location_key"
      ) AS "t19"
      WHERE
        "t19"."cortical_layer" = '5'
    )
) AS "t21"
