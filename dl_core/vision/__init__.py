"""Vision: what pages, views and the command line use. Import from here, not from the modules.

- photos.py           classify photos with the pretrained EfficientNet-Lite0, explain (Grad-CAM, IG)
- imagenet_names.py   ImageNet class names as people say them, with a longer description
- digits.py           the digits CNN: data, `train_digits_cnn` (train + evaluate + log), baselines,
                      the app's default model (`ensure_digits_cnn`), a person's own drawn digit
- transfer.py         teach your own classifier: frozen features + `train_head` (train + evaluate + log)
- semi_supervised.py  supervised vs semi-supervised accuracy as labels grow
- cli.py              `python -m dl_core vision classify | train-digits | train-head`

Every module imports torch and scikit-learn inside its functions: importing this package is cheap.
"""

from .digits import (
    DIGITS_FILE,
    BaselineResult,
    DigitsCNNConfig,
    DigitsData,
    DigitsReport,
    build_digits_cnn,
    count_parameters,
    digit_from_image,
    ensure_digits_cnn,
    evaluate_digits,
    load_digits_cnn,  # the registry's loader string names dl_core.vision:load_digits_cnn
    load_digits_data,
    predict_digits,
    save_digits_cnn,
    shallow_baselines,
    train_digits_cnn,
)
from .photos import (
    EXAMPLE_PHOTOS,
    IMAGE_SUFFIXES,
    IMAGE_TYPES,
    MAX_PHOTOS,
    MAX_TOP_K,
    MODEL_SIDE,
    ExplainMethod,
    Prediction,
    check_photo_count,
    check_top_k,
    classify,
    classify_image,
    example_photo,
    explain,
    image_bytes,
    is_pipeline,
    label_names,
    overlay,
    predict_proba,
    preprocessed_view,
    read_photo,
    results_table,
)
from .semi_supervised import SEMI_METHODS, SemiMethod, SemiSupervisedResult, semi_supervised_curve
from .transfer import (
    MAX_CLASSES,
    MAX_IMAGES,
    MIN_PER_CLASS,
    HeadConfig,
    LabelledFeatures,
    LabelledFiles,
    build_head,
    classes_from_zip,
    classify_features,
    classify_with_head,
    collect_classes,
    embed,
    evaluate_head,
    head_from_bytes,
    head_to_bytes,
    image_features,
    labelled_features,
    predict_head,
    split_indices,
    train_head,
)

__all__ = [
    # photos
    "EXAMPLE_PHOTOS", "IMAGE_SUFFIXES", "IMAGE_TYPES", "MAX_PHOTOS", "MAX_TOP_K", "MODEL_SIDE", "ExplainMethod",
    "Prediction", "check_photo_count", "check_top_k", "classify", "classify_image", "example_photo", "explain",
    "image_bytes", "is_pipeline", "label_names", "overlay", "predict_proba", "preprocessed_view", "read_photo",
    "results_table",
    # digits
    "DIGITS_FILE", "BaselineResult", "DigitsCNNConfig", "DigitsData", "DigitsReport", "build_digits_cnn",
    "count_parameters", "digit_from_image", "ensure_digits_cnn", "evaluate_digits", "load_digits_cnn",
    "load_digits_data", "predict_digits", "save_digits_cnn", "shallow_baselines",
    "train_digits_cnn",
    # transfer
    "MAX_CLASSES", "MAX_IMAGES", "MIN_PER_CLASS", "HeadConfig", "LabelledFeatures", "LabelledFiles", "build_head",
    "classes_from_zip", "classify_features", "classify_with_head", "collect_classes", "embed", "evaluate_head",
    "head_from_bytes",
    "head_to_bytes", "image_features", "labelled_features", "predict_head", "split_indices", "train_head",
    # semi-supervised
    "SEMI_METHODS", "SemiMethod", "SemiSupervisedResult", "semi_supervised_curve",
]
