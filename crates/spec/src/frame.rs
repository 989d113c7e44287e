//! Length-prefixed JSON frames: a 4-byte little-endian length, then that many bytes of JSON.

use std::io::{self, Read, Write};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The largest frame either side accepts (a request carries source files and stdin, a report
/// carries captured output; both are capped well below this by their own limits).
pub const MAX_FRAME: usize = 1 << 30;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("reading or writing a frame: {0}")]
    Io(#[from] io::Error),
    #[error("frame of {0} bytes is larger than the {MAX_FRAME}-byte maximum")]
    TooLarge(usize),
    #[error("frame is not valid JSON for this message: {0}")]
    Json(#[from] serde_json::Error),
}

/// Writes one frame and flushes it.
pub fn write_frame<W: Write, T: Serialize>(w: &mut W, msg: &T) -> Result<(), FrameError> {
    let body = serde_json::to_vec(msg)?;
    if body.len() > MAX_FRAME {
        return Err(FrameError::TooLarge(body.len()));
    }
    let len = u32::try_from(body.len()).map_err(|_| FrameError::TooLarge(body.len()))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(&body)?;
    w.flush()?;
    Ok(())
}

/// Reads one frame; `Ok(None)` on a clean end of stream before the frame starts.
pub fn read_frame<R: Read, T: DeserializeOwned>(r: &mut R) -> Result<Option<T>, FrameError> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok(Some(serde_json::from_slice(&body)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_clean_eof() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &vec![1u32, 2, 3]).unwrap();
        write_frame(&mut buf, &"two").unwrap();
        let mut r = buf.as_slice();
        assert_eq!(
            read_frame::<_, Vec<u32>>(&mut r).unwrap(),
            Some(vec![1, 2, 3])
        );
        assert_eq!(
            read_frame::<_, String>(&mut r).unwrap().as_deref(),
            Some("two")
        );
        assert!(read_frame::<_, String>(&mut r).unwrap().is_none());
    }

    #[test]
    fn truncated_frame_is_an_error_not_eof() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &"hello").unwrap();
        buf.truncate(buf.len() - 1);
        assert!(matches!(
            read_frame::<_, String>(&mut buf.as_slice()),
            Err(FrameError::Io(_))
        ));
    }

    #[test]
    fn oversized_length_is_refused_before_allocating() {
        let buf = u32::MAX.to_le_bytes();
        assert!(matches!(
            read_frame::<_, String>(&mut buf.as_slice()),
            Err(FrameError::TooLarge(_))
        ));
    }
}
