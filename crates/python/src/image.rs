//! The `image` argument of `set_chat_background`: a path, bytes-like data or a binary file
//! object, turned into something the core can use with the GIL released.

use std::path::PathBuf;

use blooio_core::OwnedImage;
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyMemoryView, PyString};

/// An image argument the core can read without touching Python objects.
pub(crate) enum ImageArg<'py> {
    /// A file the core opens, checks and streams from disk.
    Path(PathBuf),
    /// Immutable `bytes`, borrowed rather than copied: nothing can change them while we hold a
    /// reference, with or without the GIL.
    Bytes(Bound<'py, PyBytes>),
}

impl<'py> ImageArg<'py> {
    /// Accepts, in this order: `bytes`; a `str` or `os.PathLike` path; any object with the
    /// buffer protocol (`bytearray`, `memoryview`, `mmap`, `array`, ...), copied into new
    /// `bytes` now so later changes by other threads cannot reach the upload; an object with
    /// `read()` (a file opened in binary mode), read to its end from where it is.
    pub(crate) fn from_py(image: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = image.cast::<PyBytes>() {
            return Ok(ImageArg::Bytes(bytes.clone()));
        }
        if image.is_instance_of::<PyString>() || image.hasattr(intern!(image.py(), "__fspath__"))? {
            return Ok(ImageArg::Path(image.extract()?));
        }
        if let Some(bytes) = copy_buffer(image)? {
            return Ok(ImageArg::Bytes(bytes));
        }
        if image.hasattr(intern!(image.py(), "read"))? {
            let data = image.call_method0(intern!(image.py(), "read"))?;
            if let Ok(bytes) = data.cast::<PyBytes>() {
                return Ok(ImageArg::Bytes(bytes.clone()));
            }
            if !data.is_instance_of::<PyString>() {
                if let Some(bytes) = copy_buffer(&data)? {
                    return Ok(ImageArg::Bytes(bytes));
                }
            }
            return Err(PyTypeError::new_err(
                "image file object's read() must return bytes: open the file in binary mode ('rb')",
            ));
        }
        Err(PyTypeError::new_err(format!(
            "image must be a path (str or os.PathLike), bytes-like data, or a file object opened \
             in binary mode, not {}",
            image.get_type().name()?
        )))
    }
}

impl ImageArg<'_> {
    /// The image without the GIL's lifetime: the path, or the `bytes` object kept alive (shared
    /// with Python, not copied: it is immutable, and readable without the GIL).
    pub(crate) fn into_owned(self) -> OwnedImage<PyBackedBytes> {
        match self {
            ImageArg::Path(path) => OwnedImage::Path(path),
            ImageArg::Bytes(bytes) => OwnedImage::Bytes(PyBackedBytes::from(bytes)),
        }
    }
}

/// A copy of the object's bytes when it has the buffer protocol, else `None`.
fn copy_buffer<'py>(object: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let view = match PyMemoryView::from(object) {
        Ok(view) => view,
        Err(e) if e.is_instance_of::<PyTypeError>(object.py()) => return Ok(None),
        Err(e) => return Err(e),
    };
    let bytes = view.call_method0(intern!(object.py(), "tobytes"))?;
    view.call_method0(intern!(object.py(), "release"))?;
    Ok(Some(bytes.cast_into::<PyBytes>()?))
}
